import { JetStreamApiError } from "@nats-io/jetstream";
import { type KV, Kvm } from "@nats-io/kv";
import type { TongbaoEvent } from "@tongbao/events";
import type { Connection } from "./connect.ts";
import { ConcurrencyConflictError, NotFoundError, PermissionDeniedError } from "./errors.ts";
import { Buckets } from "./topology.ts";

// 首接负责制: only the city that owns a case may append to it, and ownership moves only by
// case.transferred. A case's events are spread over several subjects (one per origin and action),
// so no single subject sequence can guard them. The ledger entry of the case is that guard: every
// append first moves the entry forward with a compare-and-set on its revision (which NATS KV does
// with Nats-Expected-Last-Subject-Sequence), then publishes. Whoever loses the race is told so.

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
const isCasConflict = (error: unknown) =>
  (error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) ||
  (error instanceof Error && /wrong last sequence|key exists/i.test(error.message));

const encoder = new TextEncoder();

export const createCaseLedger = (conn: Connection, inFlightGraceMs = 60_000): CaseLedger => {
  let bucket: Promise<KV> | undefined;
  const kv = () => {
    bucket ??= new Kvm(conn.js).open(Buckets.caseOwners);
    return bucket;
  };

  // The head is in the log when the last event on its subject is the head itself: appends to the
  // case are serialised through the ledger, so nothing of this case can have landed there after it.
  const headInLog = async (head: LedgerEntry["head"]) => {
    const stored = await conn.jsm.direct.getMessage(conn.streams.outbox, { last_by_subj: head.subject });
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
    const store = await kv();
    const found = await store.get(caseId);
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
    try {
      if (found === null) await store.create(caseId, encoder.encode(JSON.stringify(entry)));
      else await store.update(caseId, encoder.encode(JSON.stringify(entry)), found.revision);
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
