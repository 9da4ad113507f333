import { randomUUID } from "node:crypto";
import { AckPolicy, type ConsumerConfig, DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import {
  decodeEvent,
  type EventStatus,
  EventValidationError,
  filterSubject,
  ImpersonationError,
  parseSubject,
  type TongbaoEvent,
} from "@tongbao/events";
import { type PulledMessage, pullBatches } from "./batch-pull.ts";
import type { Connection } from "./connect.ts";
import { TimeoutError } from "./errors.ts";
import { replayEnd, TAIL_HEARTBEAT_MS, withTicks } from "./replay-end.ts";
import { streamInfoOf } from "./stream-info.ts";
import type { StreamNames } from "./topology/names.ts";

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
  /**
   * Told of each stored message that is never yielded because it is no readable event or its body
   * disagrees with the subject it was stored under (a raw client's forgery): a reader skips it, so
   * that one bad message can stop no one's replay, and says so.
   */
  readonly onRefused?: (refused: RefusedOnRead) => void;
}

/** A stored message a reader left out, and why; the reason names paths, cities and ids, never data. */
export interface RefusedOnRead {
  readonly seq: number;
  readonly subject: string;
  readonly reason: "unreadable" | "impersonation";
  readonly error: string;
}

export interface ReplayedEvent {
  readonly event: TongbaoEvent;
  readonly seq: number;
  readonly subject: string;
  readonly recordedAt: Date;
}

/** A stored payload as text: Node's own UTF-8 decoding, about twice as fast as TextDecoder on events. */
const utf8Of = (data: Uint8Array) =>
  Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("utf8");

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
  const match = (m: { subject: string; seq: number; data: Uint8Array }): TongbaoEvent | undefined => {
    const parts = origins || types ? parseSubject(m.subject) : undefined;
    if (parts !== undefined && ((origins && !origins.has(parts.origin)) || (types && !types.has(parts.type))))
      return undefined;
    const event = decodeOrSkip(() => JSON.parse(utf8Of(m.data)), m, query.onRefused);
    if (event === undefined || (statuses && !statuses.has(event.status)) || !inTime(event.time, since, until))
      return undefined;
    return event;
  };
  // Every message of the stream, or only some: a narrowed consumer's position stays at its last match.
  const narrowed = filter !== filterSubject({ audience: direct ? "*" : undefined });
  return { stream: direct ? streams.direct : streams.events, filter, narrowed, match };
};

/** A replay's own consumer: named, unacknowledged, in memory, gone a minute after it is left. */
const openConsumer = async (
  conn: Connection,
  stream: string,
  filter: string,
  start: Partial<ConsumerConfig>,
) => {
  // Named, so the request goes to CONSUMER.CREATE.<stream>.<name>.<filter>: a city's NATS user may
  // create consumers on DIRECT only with its own dm.<city>.> filter, which needs that subject form.
  const info = await conn.jsm.consumers.add(stream, {
    name: `replay-${randomUUID()}`,
    ack_policy: AckPolicy.None,
    filter_subject: filter,
    inactive_threshold: nanos(60_000),
    mem_storage: true,
    ...start,
  });
  const release = () => conn.jsm.consumers.delete(stream, info.name).catch(() => false);
  return { info, release };
};

type Matcher = ReturnType<typeof matcherOf>;
interface Bounds {
  /** The last sequence the stream's leader held when the replay started (or toSeq, if lower). */
  readonly end: number;
  readonly recordedUntil: number | undefined;
}

/** A stored message as a replay reads it, whichever way it was pulled (a batch, or consume()). */
type Read = Pick<PulledMessage, "seq" | "subject" | "recordedMs">;
const readOf = (m: JsMsg): Read & { data: Uint8Array } => ({
  seq: m.seq,
  subject: m.subject,
  data: m.data,
  recordedMs: Math.floor(m.info.timestampNanos / 1e6),
});
const beyond = (m: Read, { end, recordedUntil }: Bounds) =>
  m.seq > end || (recordedUntil !== undefined && m.recordedMs >= recordedUntil);
const replayed = (m: Read, event: TongbaoEvent): ReplayedEvent => ({
  event,
  seq: m.seq,
  subject: m.subject,
  recordedAt: new Date(m.recordedMs),
});

/**
 * History as an async iterator, oldest first, upcast to the current versions. Reads through a
 * server-side filtered, unacknowledged consumer that pulls a bounded batch at a time, so memory
 * stays flat however long the history is. The iterator ends at what was stored when it started.
 */
export async function* replay(conn: Connection, query: ReplayQuery = {}): AsyncGenerator<ReplayedEvent> {
  const matcher = matcherOf(query, conn.streams);
  // The stream's leader answers: what was stored when the replay started, whichever replica serves it.
  const { state, cluster } = await streamInfoOf(conn, matcher.stream);
  const bounds = {
    end: Math.min(state.last_seq, query.toSeq ?? Number.POSITIVE_INFINITY),
    recordedUntil: toMs(query.recordedUntil),
  };
  if (state.messages === 0 || (query.fromSeq ?? 0) > bounds.end) return;
  if ((cluster?.replicas?.length ?? 0) > 0) {
    yield* fromReplicas(conn, matcher, startOf(query), bounds);
    return;
  }
  // One server, or a stream of one replica: its consumer counts from the leader's store, exactly.
  // Read here rather than through a nested generator: each level costs every event a promise.
  const { stream, filter, match } = matcher;
  const { info, release } = await openConsumer(conn, stream, filter, startOf(query));
  if (info.num_pending === 0) {
    await release();
    return;
  }
  try {
    for await (const batch of pullBatches(conn, stream, info.name, { batch: 2_000, end: bounds.end })) {
      for (const m of batch) {
        if (beyond(m, bounds)) return;
        const event = match(m);
        if (event !== undefined) yield replayed(m, event);
        if (m.seq === bounds.end || m.pending === 0) return;
      }
    }
  } finally {
    await release();
  }
}

/** How many replicas a replay tries before it gives up on reaching the leader's last sequence. */
const PLACEMENTS = 5;

/**
 * A replicated stream: read until the consumer has passed the leader's last sequence. A replica that
 * stops short is left: the replay goes on from the next sequence through a consumer on another one.
 */
async function* fromReplicas(
  conn: Connection,
  { stream, filter, narrowed, match }: Matcher,
  firstStart: Partial<ConsumerConfig>,
  bounds: Bounds,
): AsyncGenerator<ReplayedEvent> {
  const stalled = new Set<string>();
  let start = firstStart;
  for (let placement = 1; ; placement++) {
    const { info, release } = await openAvoiding(conn, stream, filter, start, stalled);
    const messages = await (await conn.js.consumers.get(stream, info.name)).consume({
      max_messages: 2_000,
      idle_heartbeat: TAIL_HEARTBEAT_MS,
    });
    const ending = replayEnd(conn, stream, info.name, {
      end: bounds.end,
      filter: narrowed ? filter : undefined,
    });
    let lastSeq: number | undefined;
    try {
      for await (const m of withTicks(messages)) {
        if (m !== undefined) {
          const read = readOf(m);
          if (beyond(read, bounds)) return;
          ending.received(m);
          lastSeq = m.seq;
          const event = match(read);
          if (event !== undefined) yield replayed(read, event);
          if (m.seq === bounds.end) return;
          if (m.info.pending > 0) continue;
        }
        const verdict = await ending.check();
        if (verdict === "done") return;
        if (verdict === "stalled") break;
      }
    } finally {
      await messages.close();
      await release();
    }
    const host = info.cluster?.leader ?? "its server";
    stalled.add(host);
    if (placement >= PLACEMENTS) {
      throw new TimeoutError(
        `replay of ${stream} stopped short of sequence ${bounds.end}, the last its leader held when the ` +
          `replay started: replicas ${[...stalled].join(", ")} did not catch up; try again later`,
      );
    }
    if (lastSeq !== undefined)
      start = { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: lastSeq + 1 };
  }
}

/** A consumer on a replica that has not stalled, when a few tries find one (placement is random). */
const openAvoiding = async (
  conn: Connection,
  stream: string,
  filter: string,
  start: Partial<ConsumerConfig>,
  stalled: ReadonlySet<string>,
) => {
  for (let tries = 1; ; tries++) {
    const opened = await openConsumer(conn, stream, filter, start);
    if (tries >= 6 || !stalled.has(opened.info.cluster?.leader ?? "")) return opened;
    await opened.release();
  }
};

const inTime = (time: string, since: number | undefined, until: number | undefined) => {
  if (since === undefined && until === undefined) return true;
  const at = Date.parse(time);
  return (since === undefined || at >= since) && (until === undefined || at < until);
};

const decodeOrSkip = (
  stored: () => unknown,
  { subject, seq }: { subject: string; seq: number },
  onRefused: ReplayQuery["onRefused"],
) => {
  try {
    return decodeEvent(stored(), subject);
  } catch (error) {
    const reason = error instanceof ImpersonationError ? "impersonation" : "unreadable";
    const message = error instanceof EventValidationError ? error.message : "invalid event: is not JSON";
    onRefused?.({ seq, subject, reason, error: message });
    return undefined;
  }
};
