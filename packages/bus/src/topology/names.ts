import type { BusMode } from "./mode.ts";

// Every stream, bucket and durable consumer Tongbao has, named once. Services, the CLI and the
// generated NATS permissions take the names from here.

/** The streams of one server or cluster; the hub keeps the same names for what it sources. */
export const Streams = {
  /** Broadcasts, kept for years: evt.<origin>.<domain>.<action>.<key>. */
  events: "EVENTS",
  /** Directed messages, with personal data, expiring: dm.<target>.<origin>.<domain>.<action>.<key>. */
  direct: "DIRECT",
  /** One receipt per (event, receiving city): rcpt.<origin>.<eventId>.<receiver>. */
  receipts: "RECEIPTS",
  /** Messages a consumer gave up on, with the reason: dlq.<consumer>.<stream>.<seq>. */
  deadLetters: "DEADLETTER",
  /** The server's max-deliveries and terminated advisories, kept so a mover that was down misses none. */
  advisories: "ADVISORIES",
  /** Dead letters sent back to their consumer, once each: rdv.<consumer>.<stream>.<seq>. */
  redrive: "REDRIVE",
} as const;
export type Streams = (typeof Streams)[keyof typeof Streams];

/** The streams of a city's leaf node, and the hub's own outbox. */
export const LeafStreams = {
  /** What the city says: its broadcasts and its receipts. */
  outbox: "OUTBOX",
  /** The directed messages the city sends; they carry personal data and expire. */
  outboxDirect: "OUTBOX_DIRECT",
  /** Every broadcast of the metro, sourced from the hub. */
  inbox: "INBOX",
  /** Directed messages to this city, sourced from the hub. */
  inboxDirect: "INBOX_DIRECT",
  inboxReceipts: "INBOX_RECEIPTS",
  /** The hub's own outbox, for metro services. */
  metroOutbox: "METRO_OUTBOX",
} as const;

export const Buckets = {
  /** Event ids each consumer has handled, for effectively-once handlers. */
  handled: "handled",
  /** How often each consumer was taken over at one ack floor (takeovers.ts). */
  takeovers: "takeovers",
} as const;

/** The streams one connection reads and writes; the names depend on the mode. */
export interface StreamNames {
  /** Broadcasts every city may read (EVENTS, or a city's INBOX). */
  readonly events: string;
  /** Directed messages (DIRECT, or a city's INBOX_DIRECT holding only its own). */
  readonly direct: string;
  readonly receipts: string;
  /** Where this connection's own broadcasts are stored first (EVENTS, or OUTBOX). */
  readonly outbox: string;
  /** Where its own directed messages are stored first (DIRECT, or OUTBOX_DIRECT). */
  readonly outboxDirect: string;
}

export const streamNamesOf = (mode: BusMode = { kind: "single" }): StreamNames => {
  switch (mode.kind) {
    case "single":
      return {
        events: Streams.events,
        direct: Streams.direct,
        receipts: Streams.receipts,
        outbox: Streams.events,
        outboxDirect: Streams.direct,
      };
    case "leaf":
      return {
        events: LeafStreams.inbox,
        direct: LeafStreams.inboxDirect,
        receipts: LeafStreams.inboxReceipts,
        outbox: LeafStreams.outbox,
        outboxDirect: LeafStreams.outboxDirect,
      };
    case "hub":
      return {
        events: Streams.events,
        direct: Streams.direct,
        receipts: Streams.receipts,
        outbox: LeafStreams.metroOutbox,
        // The metro sends no directed messages of its own.
        outboxDirect: Streams.direct,
      };
  }
};

/** The services that keep durable consumers, each `<city>-<service>` (the metro's: `metro-<service>`). */
export const ConsumerServices = {
  /** A city's relay: broadcasts of the other cities to its systems. */
  relay: "relay",
  /** A city's relay: the directed messages to it. */
  relayDirect: "relay-direct",
  /** The metro's watchdog: acknowledgement deadlines of broadcasts. */
  watchdog: "watchdog",
  /** The metro's watchdog: due times of trace requests. */
  watchdogTraces: "watchdog-traces",
  /** The metro's watchdog: delivery deadlines of directed messages. */
  watchdogDirect: "watchdog-direct",
} as const;

export const Consumers = {
  /** The durable consumer of a subscriber: `<city>-<service>`. */
  of: (city: string, service: string) => `${city}-${service}`,
  /** A subscription's re-driven messages, next to its main consumer. */
  redriveOf: (consumer: string) => `${consumer}-redrive`,
  /** The one consumer on ADVISORIES that turns advisories into dead letters (one per metro). */
  deadLetterMover: "dead-letter-mover",
} as const;
