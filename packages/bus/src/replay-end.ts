import type { ConsumerMessages, JsMsg, MsgRequest, NextMsgRequest } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";
import { isNoMessage, isNotFound, isPermissionDenied } from "./nats-errors.ts";

// On a cluster the replay's consumer is placed on any replica of the stream, and counts what is
// pending from that replica's own store. A replica that restarted may still be applying what it
// missed, and says it has nothing pending meanwhile (2.9.10: 89 short for more than 20 s; 2.15.1: a
// filtered replay of 10,000 ended at 4,000 right after a follower's restart). So a replicated replay
// ends only once nothing is pending *and* nothing is left up to `end`, the last sequence the leader
// held when the replay started: an unfiltered consumer has passed it; a filtered one (whose delivered
// stream sequence stays at its last match) has no match left between its last and `end`, which the
// stream's leader answers (a message get, never served by a replica). A replica that stops short is
// left for another one.

/** How often the consumer's server looks at its store again while idle (its idle heartbeat). */
export const TAIL_HEARTBEAT_MS = 1_000;
const TICK_MS = 100;
/** No progress for this long, short of the end: the replica is not catching up (two heartbeats). */
const STALL_MS = 2 * TAIL_HEARTBEAT_MS + 500;

/** The consume iterator, with `undefined` whenever no message came for a tick. */
export async function* withTicks(messages: ConsumerMessages): AsyncGenerator<JsMsg | undefined> {
  const it = messages[Symbol.asyncIterator]();
  let next = it.next();
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const tick = new Promise<"tick">((resolve) => {
      timer = setTimeout(() => resolve("tick"), TICK_MS);
    });
    const got = await Promise.race([next, tick]);
    clearTimeout(timer);
    if (got === "tick") {
      yield undefined;
      continue;
    }
    if (got.done) return;
    next = it.next();
    yield got.value;
  }
}

export type TailVerdict = "done" | "reading" | "stalled";

/** Whether a replicated replay has read everything up to `end`, the leader's last sequence at start. */
export const replayEnd = (
  conn: Connection,
  stream: string,
  consumer: string,
  { end, filter }: { end: number; filter: string | undefined },
) => {
  /**
   * Whether the leader holds a message matching the filter after `seq`, up to `end`. A user who may
   * not get messages from the stream by body (a city on DIRECT: another city's would be readable)
   * trusts its replica's count instead.
   */
  let mayAsk = true;
  const leftAfter = async (seq: number, subject: string) => {
    if (!mayAsk) return false;
    try {
      // The stream API takes a next-by-subject get (client 3.4.0 types it for direct gets only).
      const next = await conn.jsm.streams.getMessage(stream, {
        seq: seq + 1,
        next_by_subj: subject,
      } satisfies NextMsgRequest as unknown as MsgRequest);
      return next !== null && next.seq <= end;
    } catch (error) {
      if (isNoMessage(error) || isNotFound(error)) return false;
      if (!isPermissionDenied(error)) throw error;
      mayAsk = false;
      return false;
    }
  };
  let received = 0;
  /** The delivery count at which the consumer had passed `end`, once seen. */
  let target: number | undefined;
  let position = -1;
  let movedAt = Date.now();
  return {
    received(m: JsMsg) {
      received = m.info.deliverySequence;
      movedAt = Date.now();
    },
    /** Asked when the serving replica has nothing more for now: the end, or is it behind? */
    async check(): Promise<TailVerdict> {
      if (target === undefined) {
        const info = await conn.jsm.consumers.info(stream, consumer);
        const at = info.delivered.stream_seq;
        const done =
          info.num_pending === 0 && (at >= end || (filter !== undefined && !(await leftAfter(at, filter))));
        if (done) target = info.delivered.consumer_seq;
        else if (at !== position) {
          position = at;
          movedAt = Date.now();
        }
      }
      if (target !== undefined && received >= target) return "done";
      return Date.now() - movedAt > STALL_MS ? "stalled" : "reading";
    },
  };
};
