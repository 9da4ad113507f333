import { randomUUID } from "node:crypto";
import { AckPolicy, type ConsumerConfig, DeliverPolicy } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import {
  decodeEvent,
  type EventStatus,
  EventValidationError,
  filterSubject,
  parseSubject,
  type TongbaoEvent,
} from "@tongbao/events";
import type { Connection } from "./connect.ts";
import type { StreamNames } from "./domains.ts";

type Moment = Date | string;

export interface ReplayQuery {
  /** Broadcasts (default) or directed messages; directed replay needs `audience`: a city, or `*`. */
  readonly stream?: "events" | "direct";
  readonly audience?: string;
  readonly origins?: readonly string[];
  readonly types?: readonly string[];
  /** One aggregate: a case id, a pass id, a district id … */
  readonly key?: string;
  readonly statuses?: readonly EventStatus[];
  /** By when it happened (the event's `time`): since ≤ time < until. */
  readonly since?: Moment;
  readonly until?: Moment;
  /** By when JetStream stored it: recordedSince ≤ stored < recordedUntil. */
  readonly recordedSince?: Moment;
  readonly recordedUntil?: Moment;
  /** By stream sequence, both ends included. */
  readonly fromSeq?: number;
  readonly toSeq?: number;
  /** A stored message that is not a readable event: stop with an error (default) or skip it. */
  readonly undecodable?: "throw" | "skip";
}

export interface ReplayedEvent {
  readonly event: TongbaoEvent;
  readonly seq: number;
  readonly subject: string;
  readonly recordedAt: Date;
}

const toMs = (moment: Moment | undefined) => (moment === undefined ? undefined : new Date(moment).getTime());

const only = <T>(values: readonly T[] | undefined): T | undefined =>
  values?.length === 1 ? values[0] : undefined;

const startOf = (query: ReplayQuery): Partial<ConsumerConfig> => {
  if (query.fromSeq !== undefined)
    return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: query.fromSeq };
  if (query.recordedSince !== undefined) {
    return {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: new Date(query.recordedSince).toISOString(),
    };
  }
  return { deliver_policy: DeliverPolicy.All };
};

/**
 * History as an async iterator, oldest first, upcast to the current versions. Reads through a
 * server-side filtered, unacknowledged consumer that pulls a bounded batch at a time, so memory
 * stays flat however long the history is. The iterator ends at what was stored when it started.
 */
/** The server-side filter subject and the client-side checks of a query. */
export const matcherOf = (query: Omit<ReplayQuery, "fromSeq" | "toSeq">, streams: StreamNames) => {
  const direct = query.stream === "direct";
  if (direct && query.audience === undefined)
    throw new TypeError("a directed replay needs the audience city (or * for every city)");
  const filter = filterSubject({
    origin: only(query.origins),
    type: only(query.types),
    key: query.key,
    audience: direct ? query.audience : undefined,
  });
  const origins = query.origins && query.origins.length > 1 ? new Set(query.origins) : undefined;
  const types = query.types && query.types.length > 1 ? new Set(query.types) : undefined;
  const statuses = query.statuses ? new Set(query.statuses) : undefined;
  const [since, until] = [toMs(query.since), toMs(query.until)];
  /** The event when the stored message matches the query, undefined when it does not. */
  const match = (m: { subject: string; seq: number; json<T>(): T }): TongbaoEvent | undefined => {
    const parts = origins || types ? parseSubject(m.subject) : undefined;
    if (parts !== undefined && ((origins && !origins.has(parts.origin)) || (types && !types.has(parts.type))))
      return undefined;
    const event = decodeOrSkip(() => m.json(), m.seq, query.undecodable);
    if (event === undefined || (statuses && !statuses.has(event.status)) || !inTime(event.time, since, until))
      return undefined;
    return event;
  };
  return { stream: direct ? streams.direct : streams.events, filter, match };
};

/**
 * History as an async iterator, oldest first, upcast to the current versions. Reads through a
 * server-side filtered, unacknowledged consumer that pulls a bounded batch at a time, so memory
 * stays flat however long the history is. The iterator ends at what was stored when it started.
 */
export async function* replay(conn: Connection, query: ReplayQuery = {}): AsyncGenerator<ReplayedEvent> {
  const { stream, filter, match } = matcherOf(query, conn.streams);
  const recordedUntil = toMs(query.recordedUntil);
  await replicasCaughtUp(conn, stream);

  // Named, so the request goes to CONSUMER.CREATE.<stream>.<name>.<filter>: a city's NATS user may
  // create consumers on DIRECT only with its own dm.<city>.> filter, which needs that subject form.
  const info = await conn.jsm.consumers.add(stream, {
    name: `replay-${randomUUID()}`,
    ack_policy: AckPolicy.None,
    filter_subject: filter,
    inactive_threshold: nanos(60_000),
    mem_storage: true,
    ...startOf(query),
  });
  const release = () => conn.jsm.consumers.delete(stream, info.name).catch(() => false);
  if (info.num_pending === 0) {
    await release();
    return;
  }
  const messages = await (await conn.js.consumers.get(stream, info.name)).consume({ max_messages: 2_000 });
  try {
    for await (const m of messages) {
      const recordedMs = Math.floor(m.info.timestampNanos / 1e6);
      if (
        (query.toSeq !== undefined && m.seq > query.toSeq) ||
        (recordedUntil !== undefined && recordedMs >= recordedUntil)
      ) {
        break;
      }
      const event = match(m);
      if (event !== undefined)
        yield { event, seq: m.seq, subject: m.subject, recordedAt: new Date(recordedMs) };
      if (m.info.pending === 0) break;
    }
  } finally {
    await messages.close();
    await release();
  }
}

const REPLICA_WAIT_MS = 10_000;

/**
 * On a cluster, waits (a bounded time) until every replica that is up is current. The replay's
 * consumer may be placed on any replica, and one that is still catching up after a restart would
 * count fewer pending messages and end the replay early. A single server answers at once.
 */
const replicasCaughtUp = async (conn: Connection, stream: string) => {
  const deadline = Date.now() + REPLICA_WAIT_MS;
  for (;;) {
    const replicas = (await conn.jsm.streams.info(stream)).cluster?.replicas ?? [];
    const caughtUp = replicas.every((r) => r.offline === true || (r.current && (r.lag ?? 0) === 0));
    if (caughtUp || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const inTime = (time: string, since: number | undefined, until: number | undefined) => {
  if (since === undefined && until === undefined) return true;
  const at = Date.parse(time);
  return (since === undefined || at >= since) && (until === undefined || at < until);
};

const decodeOrSkip = (stored: () => unknown, seq: number, undecodable: ReplayQuery["undecodable"]) => {
  try {
    return decodeEvent(stored());
  } catch (error) {
    if (undecodable === "skip") return undefined;
    const issues =
      error instanceof EventValidationError ? error.issues : [{ path: "", message: "is not JSON" }];
    throw new EventValidationError(issues, {
      cause: new Error(`stored message ${seq} is not a readable event`),
    });
  }
};
