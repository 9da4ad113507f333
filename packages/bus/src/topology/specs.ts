import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
  type StreamSource,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { METRO_ORIGIN } from "@tongbao/events";
import { type BusMode, HUB_DOMAIN, linkDeliveryOf } from "./mode.ts";
import { LeafStreams, Streams, streamNamesOf } from "./names.ts";

/** A stream as Tongbao needs it: the settings it checks on every start. */
export type StreamSpec = Pick<
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
  | "allow_atomic"
  | "allow_msg_ttl"
  | "num_replicas"
>;

export interface TopologyOptions {
  /** 1 on a single server, 3 on a cluster. */
  readonly replicas?: number;
  /** Personal data expires: directed messages (and every copy of one) are deleted after this. */
  readonly directMaxAgeMs?: number;
  /** Window in which a re-published event id is recognised and stored once. */
  readonly duplicateWindowMs?: number;
  /** How long a consumer remembers which event ids it has handled. */
  readonly handledTtlMs?: number;
}

const DAY_MS = 86_400_000;
const ADVISORY = "$JS.EVENT.ADVISORY.CONSUMER";

const external = (domain: string, deliver: string) => ({ api: `$JS.${domain}.API`, deliver });

/**
 * Every stream of a mode, as data (topology as code): the bus creates them, infra/nats prints them
 * for operators. Streams that publishers write to take atomic batches (all or nothing); the dead
 * letters and re-drives, which may copy directed messages, honour a per-message TTL so that a copy
 * expires when its original does.
 */
export const streamSpecsOf = (mode: BusMode, options: TopologyOptions = {}): StreamSpec[] => {
  const directMaxAge = nanos(options.directMaxAgeMs ?? 30 * DAY_MS);
  const spec = (name: string, shape: Partial<StreamSpec>): StreamSpec => ({
    name,
    subjects: [],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: 0,
    max_msgs_per_subject: -1,
    duplicate_window: nanos(options.duplicateWindowMs ?? 2 * 60_000),
    allow_direct: true,
    allow_atomic: false,
    allow_msg_ttl: false,
    num_replicas: options.replicas ?? 1,
    ...shape,
  });
  const names = streamNamesOf(mode);
  const everyDomain = [
    spec(Streams.deadLetters, { subjects: ["dlq.>"], max_age: directMaxAge, allow_msg_ttl: true }),
    // Each subject is written once, so it also marks "re-driven".
    spec(Streams.redrive, { subjects: ["rdv.>"], max_age: directMaxAge, allow_msg_ttl: true }),
    spec(Streams.advisories, {
      subjects: [names.events, names.direct].flatMap((stream) => [
        `${ADVISORY}.MAX_DELIVERIES.${stream}.>`,
        `${ADVISORY}.MSG_TERMINATED.${stream}.>`,
      ]),
      max_age: directMaxAge,
    }),
  ];
  switch (mode.kind) {
    case "single":
      return [
        spec(Streams.events, { subjects: ["evt.>"], allow_atomic: true }),
        spec(Streams.direct, { subjects: ["dm.>"], max_age: directMaxAge, allow_atomic: true }),
        spec(Streams.receipts, { subjects: ["rcpt.>"], max_msgs_per_subject: 1, allow_atomic: true }),
        ...everyDomain,
      ];
    case "leaf": {
      const city = mode.city;
      const hub = external(mode.hubDomain ?? HUB_DOMAIN, linkDeliveryOf(city, "down"));
      return [
        spec(LeafStreams.outbox, { subjects: [`evt.${city}.>`, `rcpt.*.*.${city}`], allow_atomic: true }),
        spec(LeafStreams.outboxDirect, {
          subjects: [`dm.*.${city}.>`],
          max_age: directMaxAge,
          allow_atomic: true,
        }),
        spec(LeafStreams.inbox, { sources: [{ name: Streams.events, external: hub }] }),
        spec(LeafStreams.inboxDirect, {
          sources: [{ name: Streams.direct, external: hub, filter_subject: `dm.${city}.>` }],
          max_age: directMaxAge,
        }),
        // Receipts of the city's own notices, and its own: never who else received what directed.
        spec(LeafStreams.inboxReceipts, {
          sources: [`rcpt.${city}.>`, `rcpt.*.*.${city}`].map((filter) => ({
            name: Streams.receipts,
            external: hub,
            filter_subject: filter,
          })),
          max_msgs_per_subject: 1,
        }),
        ...everyDomain,
      ];
    }
    case "hub": {
      // The hub sources outboxes only, never an inbox: sources may form cycles and nothing refuses them.
      const outboxes = (stream: string, filter?: string): StreamSource[] =>
        mode.cities.map((city) => ({
          name: stream,
          external: external(city, linkDeliveryOf(city, "up")),
          ...(filter === undefined ? {} : { filter_subject: filter }),
        }));
      return [
        spec(LeafStreams.metroOutbox, { subjects: [`evt.${METRO_ORIGIN}.>`], allow_atomic: true }),
        spec(Streams.events, {
          sources: [{ name: LeafStreams.metroOutbox }, ...outboxes(LeafStreams.outbox, "evt.>")],
        }),
        spec(Streams.direct, { sources: outboxes(LeafStreams.outboxDirect), max_age: directMaxAge }),
        spec(Streams.receipts, {
          sources: outboxes(LeafStreams.outbox, "rcpt.>"),
          max_msgs_per_subject: 1,
        }),
        ...everyDomain,
      ];
    }
  }
};

/** A source as configured, reduced to what identifies it: compares a spec with the server's view. */
export const sourceKey = (source: StreamSource) =>
  `${source.name}|${source.external?.api ?? ""}|${source.external?.deliver ?? ""}|${source.filter_subject ?? ""}`;
