import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { nanos } from "@nats-io/transport-node";
import type { Connection } from "./connect.ts";
import { ensureDomainStreams } from "./domain-topology.ts";
import type { DomainStreamSpec } from "./domains.ts";
import { TopologyConflictError, type TopologyDifference } from "./errors.ts";

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

export const Buckets = {
  /** Who owns each case (首接负责制): the compare-and-set point for appends to a case. */
  caseOwners: "case-owners",
  /** Event ids each consumer has handled, for effectively-once handlers. */
  handled: "handled",
} as const;

const DAY_MS = 86_400_000;

export interface TopologyOptions {
  /** 1 on a single server, 3 on a cluster. */
  readonly replicas?: number;
  /** Personal data expires: directed messages (and dead-letter copies) are deleted after this. */
  readonly directMaxAgeMs?: number;
  /** Window in which a re-published event id is recognised and stored once. */
  readonly duplicateWindowMs?: number;
  /** How long a consumer remembers which event ids it has handled. */
  readonly handledTtlMs?: number;
}

// A stream of the single-server (or cluster) topology: a domain stream without sources.
type StreamSpec = Omit<DomainStreamSpec, "sources">;

const ADVISORY = "$JS.EVENT.ADVISORY.CONSUMER";

export const streamSpecs = (options: TopologyOptions = {}): StreamSpec[] => {
  const replicas = options.replicas ?? 1;
  const directMaxAge = nanos(options.directMaxAgeMs ?? 30 * DAY_MS);
  const duplicateWindow = nanos(options.duplicateWindowMs ?? 2 * 60_000);
  const spec = (name: string, subjects: string[], extra: Partial<StreamSpec> = {}): StreamSpec => ({
    name,
    subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: 0,
    max_msgs_per_subject: -1,
    duplicate_window: duplicateWindow,
    allow_direct: true,
    num_replicas: replicas,
    ...extra,
  });
  return [
    spec(Streams.events, ["evt.>"]),
    spec(Streams.direct, ["dm.>"], { max_age: directMaxAge }),
    spec(Streams.receipts, ["rcpt.>"], { max_msgs_per_subject: 1 }),
    // Dead letters may copy directed messages: they expire like them.
    spec(Streams.deadLetters, ["dlq.>"], { max_age: directMaxAge }),
    // Re-driven copies of dead letters; each subject is written once, so it also marks "re-driven".
    spec(Streams.redrive, ["rdv.>"], { max_age: directMaxAge }),
    spec(
      Streams.advisories,
      [
        `${ADVISORY}.MAX_DELIVERIES.${Streams.events}.>`,
        `${ADVISORY}.MAX_DELIVERIES.${Streams.direct}.>`,
        `${ADVISORY}.MSG_TERMINATED.${Streams.events}.>`,
        `${ADVISORY}.MSG_TERMINATED.${Streams.direct}.>`,
      ],
      { max_age: directMaxAge },
    ),
  ];
};

const sameValue = (expected: unknown, actual: unknown) =>
  Array.isArray(expected) && Array.isArray(actual)
    ? [...expected].sort().join("\n") === [...actual].sort().join("\n")
    : expected === actual;

export const differencesOf = (
  resource: string,
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
): TopologyDifference[] =>
  Object.entries(expected)
    .filter(([setting, value]) => !sameValue(value, actual[setting]))
    .map(([setting, value]) => ({ resource, setting, expected: value, actual: actual[setting] }));

const isNotFound = (error: unknown) => error instanceof JetStreamApiError && error.code === 10059;

const ensureStream = async (conn: Connection, spec: StreamSpec): Promise<TopologyDifference[]> => {
  try {
    const info = await conn.jsm.streams.info(spec.name);
    const { name: _, ...settings } = spec;
    return differencesOf(spec.name, settings, info.config as unknown as Record<string, unknown>);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await conn.jsm.streams.add(spec);
    return [];
  }
};

/**
 * Makes sure every stream and bucket Tongbao needs exists with its settings. Idempotent: run it at
 * every start. An existing stream with other settings is reported, never changed.
 */
export const ensureTopology = async (conn: Connection, options: TopologyOptions = {}): Promise<void> => {
  const differences: TopologyDifference[] = [];
  if (conn.mode.kind === "single") {
    for (const spec of streamSpecs(options)) differences.push(...(await ensureStream(conn, spec)));
  } else differences.push(...(await ensureDomainStreams(conn, conn.mode, options)));
  if (differences.length > 0) throw new TopologyConflictError(differences);
  const kvm = new Kvm(conn.js);
  const replicas = options.replicas ?? 1;
  await kvm.create(Buckets.caseOwners, { history: 1, replicas });
  await kvm.create(Buckets.handled, { history: 1, replicas, ttl: options.handledTtlMs ?? 7 * DAY_MS });
};
