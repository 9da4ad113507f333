import { JetStreamApiError, type JetStreamManager, jetstream } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import { METRO_ORIGIN, parseSubject, type TongbaoEvent } from "@tongbao/events";
import type { Connection } from "./connect.ts";
import { HUB_DOMAIN, streamNamesOf } from "./domains.ts";
import {
  CaseLedgerUnreachableError,
  ConcurrencyConflictError,
  NotFoundError,
  PermissionDeniedError,
} from "./errors.ts";
import { toBusError } from "./nats-errors.ts";
import { Buckets } from "./topology.ts";

// 首接负责制: only the city that owns a case may append to it, and ownership moves only by
// case.transferred. A case's events are spread over several subjects (one per origin and action),
// so no single subject sequence can guard them. The ledger entry of the case is that guard: every
// append first moves the entry forward with a compare-and-set on its revision (which NATS KV does
// with Nats-Expected-Last-Subject-Sequence), then publishes. Whoever loses the race is told so.
//
// There is one ledger for the metro. On a leaf node (each city its own JetStream domain) it is the
// hub's bucket, reached through the hub's domain API ($JS.hub.API); a city cut off from the hub
// cannot move a case, so no two cities can both believe they own one.

interface LedgerEntry {
  /** The owner once `head` is in the log. */
  readonly owner: string;
  /** The owner before `head`; null before the case was reported. */
  readonly ownerBefore: string | null;
  /** The append that moved the entry last, and where it is stored. */
  readonly head: { readonly id: string; readonly subject: string };
  readonly reservedAt: number;
}

export interface CaseLedger {
  /** Moves the case's ledger entry to `event`, or throws why this city may not append it now. */
  reserve(event: TongbaoEvent, subject: string): Promise<void>;
}

const WRONG_LAST_SEQUENCE = 10071;
const STREAM_NOT_FOUND = 10059;
const isCasConflict = (error: unknown) =>
  (error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) ||
  (error instanceof Error && /wrong last sequence|key exists/i.test(error.message));

const encoder = new TextEncoder();

/** The ledger's bucket, and the stream holding every city's appends, in the ledger's domain. */
interface LedgerPlace {
  readonly kv: KV;
  readonly jsm: JetStreamManager;
  readonly events: string;
}

/**
 * Where the metro's ledger is, from this connection: its own domain on one server, a cluster or the
 * hub; the hub's domain from a city's leaf node. A failure to reach the hub's domain is reported as
 * the ledger being unreachable (a CaseLedgerUnreachableError: retry once the link is back).
 */
const ledgerPlace = (conn: Connection) => {
  const mode = conn.mode;
  if (mode.kind !== "leaf") {
    const kv = new Kvm(conn.js).open(Buckets.caseOwners);
    return {
      place: async (): Promise<LedgerPlace> => ({ kv: await kv, jsm: conn.jsm, events: conn.streams.events }),
      guard: <T>(_what: string, call: () => Promise<T>) => call(),
    };
  }
  const domain = mode.hubDomain ?? HUB_DOMAIN;
  const js = jetstream(conn.nc, { domain, timeout: conn.js.getOptions().timeout });
  // Opened without a round trip (bind), so a city cut off at start still gets a ledger that works
  // once the link is back.
  const opened = (async () => ({
    kv: await new Kvm(js).open(Buckets.caseOwners),
    jsm: await js.jetstreamManager(false),
    events: streamNamesOf({ kind: "hub", cities: [] }).events,
  }))();
  const where = `the metro's case ledger (bucket ${Buckets.caseOwners} in JetStream domain ${domain})`;
  const guard = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      if (isCasConflict(error)) throw error;
      // Refused by NATS: a missing permission, not an unreachable hub; retrying would not help.
      const refused = toBusError(error, `${what} in ${where}`);
      if (refused instanceof PermissionDeniedError) throw refused;
      if (error instanceof JetStreamApiError && error.code === STREAM_NOT_FOUND) {
        throw new NotFoundError(`${where} does not exist: the hub's services create it at start`, {
          cause: error,
        });
      }
      // With the link down nothing answers in the hub's domain, which the client calls "not enabled".
      const reason =
        error instanceof Error && /not enabled|no responders/i.test(error.message)
          ? `no server of domain ${domain} answers`
          : error instanceof Error
            ? error.message
            : String(error);
      throw new CaseLedgerUnreachableError(
        `${where} is unreachable from ${mode.city} (${what}: ${reason}): case events cannot be ` +
          "published until the link to the hub is back; other events publish as usual",
        { cause: error },
      );
    }
  };
  return { place: () => opened, guard };
};

/** The origin whose appends this connection stores in its own outbox: its city, or the metro. */
const ownOrigin = (conn: Connection) =>
  conn.mode.kind === "leaf" ? conn.mode.city : conn.mode.kind === "hub" ? METRO_ORIGIN : undefined;

export const createCaseLedger = (conn: Connection, inFlightGraceMs = 60_000): CaseLedger => {
  const { place, guard } = ledgerPlace(conn);

  // The head is in the log when the last event on its subject is the head itself: appends to the
  // case are serialised through the ledger, so nothing of this case can have landed there after it.
  // This connection's own appends are in its outbox (at once, even cut off from the hub); another
  // city's are where every city's outbox is sourced, in the ledger's domain.
  const headInLog = async (head: LedgerEntry["head"]) => {
    const mine =
      conn.streams.outbox === conn.streams.events || parseSubject(head.subject).origin === ownOrigin(conn);
    const stored = mine
      ? await conn.jsm.direct.getMessage(conn.streams.outbox, { last_by_subj: head.subject })
      : await guard("looking up the last event of the case", async () => {
          const { jsm, events } = await place();
          return jsm.direct.getMessage(events, { last_by_subj: head.subject });
        });
    return stored !== null && stored.json<{ id?: unknown }>().id === head.id;
  };

  const currentOwner = async (entry: LedgerEntry, caseId: string) => {
    if (await headInLog(entry.head)) return entry.owner;
    // An append reserved the entry but is not in the log: still in flight, or lost with its publisher.
    if (Date.now() - entry.reservedAt < inFlightGraceMs) {
      throw new ConcurrencyConflictError(`another append to case ${caseId} is in flight; try again`);
    }
    return entry.ownerBefore;
  };

  const nextOwner = (event: TongbaoEvent, owner: string) =>
    event.type === "case.transferred" ? event.data.newOwner : owner;

  const reserve = async (event: TongbaoEvent, subject: string): Promise<void> => {
    const caseId = event.subject;
    const { kv } = await place();
    const found = await guard(`reading case ${caseId}`, () => kv.get(caseId));
    const existing = found?.operation === "PUT" ? found.json<LedgerEntry>() : undefined;
    // A retry of the append that reserved the entry: publish it again (JetStream stores it once).
    if (existing?.head.id === event.id && existing.head.subject === subject) return;
    const owner = existing === undefined ? null : await currentOwner(existing, caseId);
    if (event.type === "case.reported") {
      if (owner !== null) {
        throw new ConcurrencyConflictError(`case ${caseId} was already reported; it is owned by ${owner}`);
      }
    } else if (owner === null) {
      throw new NotFoundError(`case ${caseId} has not been reported`);
    } else if (owner !== event.origin) {
      throw new PermissionDeniedError(
        `case ${caseId} is owned by ${owner}: only ${owner} may append to it, until it transfers the case`,
      );
    }
    const entry: LedgerEntry = {
      owner: nextOwner(event, owner ?? event.origin),
      ownerBefore: owner,
      head: { id: event.id, subject },
      reservedAt: Date.now(),
    };
    const value = encoder.encode(JSON.stringify(entry));
    try {
      await guard(`moving case ${caseId}`, () =>
        found === null ? kv.create(caseId, value) : kv.update(caseId, value, found.revision),
      );
    } catch (error) {
      if (isCasConflict(error)) {
        throw new ConcurrencyConflictError(`case ${caseId} changed meanwhile; read it again`, {
          cause: error,
        });
      }
      throw error;
    }
  };

  return { reserve };
};
