import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamSource,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { METRO_ORIGIN } from "@tongbao/events";

// Tongbao runs the same code on one server, on a cluster, and across cities on a hub cluster with one
// leaf node per city, each city its own JetStream domain. Only the streams differ: in leaf mode a city
// publishes into its local OUTBOX and reads its local inboxes, which source the hub, which sources
// every outbox. Subjects never change, so neither does any application code.

/** Which topology the bus runs on; chosen by configuration. */
export type BusMode =
  /** One server or one cluster: the streams capture the subjects directly (the default). */
  | { readonly kind: "single" }
  /** A city's leaf node: its own JetStream domain (default: the city id), linked to the hub's. */
  | { readonly kind: "leaf"; readonly city: string; readonly domain?: string; readonly hubDomain?: string }
  /** The hub cluster: sources every city's outbox; metro services publish into its own outbox. */
  | { readonly kind: "hub"; readonly cities: readonly string[]; readonly domain?: string };

/** The streams one connection reads and writes; the names depend on the mode. */
export interface StreamNames {
  /** Broadcasts every city may read (EVENTS, or a city's INBOX). */
  readonly events: string;
  /** Directed messages (DIRECT, or a city's INBOX_DIRECT holding only its own). */
  readonly direct: string;
  readonly receipts: string;
  /** Where this connection's own broadcasts are stored first (EVENTS, or OUTBOX). */
  readonly outbox: string;
}

export const LeafStreams = {
  /** What the city says: its broadcasts and its receipts, kept (the case ledger reads it). */
  outbox: "OUTBOX",
  /** The directed messages the city sends; they carry personal data and expire. */
  outboxDirect: "OUTBOX_DIRECT",
  /** Every broadcast of the metro, sourced from the hub. */
  inbox: "INBOX",
  /** Directed messages to this city, sourced from the hub. */
  inboxDirect: "INBOX_DIRECT",
  inboxReceipts: "INBOX_RECEIPTS",
  /**
   * The hub's own outbox, for metro services. Not named OUTBOX: 2.9 checks a source's filter against a
   * local stream of the source's name even when the source is in another domain.
   */
  metroOutbox: "METRO_OUTBOX",
} as const;

export const HUB_DOMAIN = "hub";

/** Subject spaces that streams capture in every domain: a leaf link must carry none of them. */
export const DOMAIN_LOCAL_SUBJECTS = ["evt.>", "dm.>", "rcpt.>", "dlq.>", "rdv.>", "$KV.>", "$JS.EVENT.>"];

export const streamNamesOf = (mode: BusMode = { kind: "single" }): StreamNames => {
  switch (mode.kind) {
    case "single":
      return { events: "EVENTS", direct: "DIRECT", receipts: "RECEIPTS", outbox: "EVENTS" };
    case "leaf":
      return {
        events: LeafStreams.inbox,
        direct: LeafStreams.inboxDirect,
        receipts: LeafStreams.inboxReceipts,
        outbox: LeafStreams.outbox,
      };
    case "hub":
      return { events: "EVENTS", direct: "DIRECT", receipts: "RECEIPTS", outbox: LeafStreams.metroOutbox };
  }
};

export const domainOf = (mode: BusMode): string | undefined =>
  mode.kind === "leaf"
    ? (mode.domain ?? mode.city)
    : mode.kind === "hub"
      ? (mode.domain ?? HUB_DOMAIN)
      : undefined;

export type DomainStreamSpec = Pick<
  StreamConfig,
  | "name"
  | "subjects"
  | "sources"
  | "retention"
  | "storage"
  | "discard"
  | "max_age"
  | "max_msgs_per_subject"
  | "duplicate_window"
  | "allow_direct"
  | "num_replicas"
>;

export interface DomainSpecOptions {
  readonly replicas?: number;
  readonly directMaxAgeMs?: number;
  readonly duplicateWindowMs?: number;
}

const DAY_MS = 86_400_000;
const ADVISORY = "$JS.EVENT.ADVISORY.CONSUMER";

const external = (domain: string) => ({ api: `$JS.${domain}.API`, deliver: "" });

/**
 * The streams of the city outboxes, city inboxes and hub, as data (topology as code): the bus creates
 * them, and infra/nats prints them for operators. Besides these, every domain has DEADLETTER and
 * REDRIVE like a single server, and ADVISORIES for its own reading streams.
 */
export const domainStreamSpecs = (mode: BusMode, options: DomainSpecOptions = {}): DomainStreamSpec[] => {
  const directMaxAge = nanos(options.directMaxAgeMs ?? 30 * DAY_MS);
  const spec = (name: string, shape: Partial<DomainStreamSpec>): DomainStreamSpec => ({
    name,
    subjects: [],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: 0,
    max_msgs_per_subject: -1,
    duplicate_window: nanos(options.duplicateWindowMs ?? 2 * 60_000),
    allow_direct: true,
    num_replicas: options.replicas ?? 1,
    ...shape,
  });
  const names = streamNamesOf(mode);
  const advisories = spec("ADVISORIES", {
    subjects: [names.events, names.direct].flatMap((stream) => [
      `${ADVISORY}.MAX_DELIVERIES.${stream}.>`,
      `${ADVISORY}.MSG_TERMINATED.${stream}.>`,
    ]),
    max_age: directMaxAge,
  });
  if (mode.kind === "single") return [];
  if (mode.kind === "leaf") {
    const hub = external(mode.hubDomain ?? HUB_DOMAIN);
    const city = mode.city;
    return [
      spec(LeafStreams.outbox, { subjects: [`evt.${city}.>`, `rcpt.*.*.${city}`] }),
      spec(LeafStreams.outboxDirect, { subjects: [`dm.*.${city}.>`], max_age: directMaxAge }),
      spec(LeafStreams.inbox, { sources: [{ name: "EVENTS", external: hub }] }),
      spec(LeafStreams.inboxDirect, {
        sources: [{ name: "DIRECT", external: hub, filter_subject: `dm.${city}.>` }],
        max_age: directMaxAge,
      }),
      spec(LeafStreams.inboxReceipts, {
        sources: [{ name: "RECEIPTS", external: hub }],
        max_msgs_per_subject: 1,
      }),
      advisories,
    ];
  }
  // The hub sources outboxes only, never an inbox: sources may form cycles and nothing refuses them.
  const outboxes = (stream: string, filter?: string): StreamSource[] => [
    ...mode.cities.map((city) => ({
      name: stream,
      external: external(city),
      ...(filter === undefined ? {} : { filter_subject: filter }),
    })),
  ];
  return [
    spec(LeafStreams.metroOutbox, { subjects: [`evt.${METRO_ORIGIN}.>`] }),
    spec("EVENTS", {
      sources: [{ name: LeafStreams.metroOutbox }, ...outboxes(LeafStreams.outbox, "evt.>")],
    }),
    spec("DIRECT", { sources: outboxes(LeafStreams.outboxDirect), max_age: directMaxAge }),
    spec("RECEIPTS", { sources: outboxes(LeafStreams.outbox, "rcpt.>"), max_msgs_per_subject: 1 }),
    advisories,
  ];
};

/** A source as configured, reduced to what identifies it: compares a spec with the server's view. */
export const sourceKey = (source: StreamSource) =>
  `${source.name}|${source.external?.api ?? ""}|${source.filter_subject ?? ""}`;
