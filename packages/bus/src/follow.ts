import { type Consumer, type ConsumerMessages, DeliverPolicy } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";
import { matcherOf, type ReplayedEvent, type ReplayQuery, replay } from "./replay.ts";
import { streamInfoOf } from "./stream-info.ts";

export type FollowQuery = Omit<ReplayQuery, "toSeq" | "recordedUntil" | "recordedSince" | "until"> & {
  /** The first stream sequence to read (default 1): a checkpoint plus one. */
  readonly fromSeq?: number;
  /** Only what is stored from now on (a live feed), instead of from `fromSeq`. */
  readonly from?: "now";
};

export interface Following extends AsyncIterable<ReplayedEvent> {
  /** Ends the iteration; the loop reading it finishes its current event first. */
  stop(): Promise<void>;
}

/**
 * History and then the live feed, in stream order, without end: an ordered consumer (no acks, no
 * server-side state to clean up) that the client library re-creates after a reconnect or a gap.
 * For read models that keep their own checkpoint; work that must not be lost uses `subscribe`.
 */
export const follow = async (conn: Connection, query: FollowQuery = {}): Promise<Following> => {
  const { stream, filter, match } = matcherOf(query, conn.streams);
  let stopped = false;
  let live: { messages: ConsumerMessages; consumer: Consumer } | undefined;
  const openLive = async (fromSeq: number | "now") => {
    const consumer = await conn.js.consumers.get(
      stream,
      fromSeq === "now"
        ? { filter_subjects: filter, deliver_policy: DeliverPolicy.New }
        : { filter_subjects: filter, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: fromSeq },
    );
    live = { consumer, messages: await consumer.consume({ max_messages: 2_000 }) };
    return live.messages;
  };
  // From now on: the live feed at once. From a sequence: the history as a replay reads it (whole
  // batches, the fastest read there is: a rebuild folds millions), then the live feed after it.
  const first = query.from === "now" ? await openLive("now") : undefined;
  async function* events(): AsyncGenerator<ReplayedEvent> {
    let next = Math.max(1, query.fromSeq ?? 1);
    if (first === undefined) {
      // The history ends at what is stored now; the live feed starts right after it.
      const end = (await streamInfoOf(conn, stream)).state.last_seq;
      const { from: _, ...history } = query;
      if (next <= end) {
        for await (const replayed of replay(conn, { ...history, fromSeq: next, toSeq: end })) {
          if (stopped) return;
          yield replayed;
        }
      }
      next = Math.max(next, end + 1);
    }
    if (stopped) return;
    const messages = first ?? (await openLive(next));
    if (stopped) messages.stop();
    for await (const m of messages) {
      const event = match(m);
      if (event === undefined) continue;
      const recordedAt = new Date(Math.floor(m.info.timestampNanos / 1e6));
      yield { event, seq: m.seq, subject: m.subject, recordedAt };
    }
  }
  return {
    [Symbol.asyncIterator]: events,
    stop: async () => {
      stopped = true;
      // stop(), not close(): close() waits for the iterator to be read to its end, which a caller
      // that never started reading would wait for forever.
      live?.messages.stop();
      // Otherwise the server keeps the ordered consumer until its inactivity threshold passes.
      await live?.consumer.delete().catch(() => false);
    },
  };
};
