import { DeliverPolicy } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";
import { matcherOf, type ReplayedEvent, type ReplayQuery } from "./replay.ts";

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
  const consumer = await conn.js.consumers.get(
    stream,
    query.from === "now"
      ? { filter_subjects: filter, deliver_policy: DeliverPolicy.New }
      : {
          filter_subjects: filter,
          deliver_policy: DeliverPolicy.StartSequence,
          opt_start_seq: Math.max(1, query.fromSeq ?? 1),
        },
  );
  const messages = await consumer.consume({ max_messages: 2_000 });
  async function* events(): AsyncGenerator<ReplayedEvent> {
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
      // stop(), not close(): close() waits for the iterator to be read to its end, which a caller
      // that never started reading would wait for forever.
      messages.stop();
      // Otherwise the server keeps the ordered consumer until its inactivity threshold passes.
      await consumer.delete().catch(() => false);
    },
  };
};
