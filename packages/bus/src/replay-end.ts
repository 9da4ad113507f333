import type { ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";

// On a cluster the replay's consumer is placed on any replica of the stream, and counts what is
// pending from that replica's own store. A replica that restarted may still be applying what it
// missed (on 2.9.10 one stayed 89 short for more than 20 s). So a replicated replay ends when its
// consumer has nothing pending and, read unfiltered, has passed the last sequence the leader held
// when the replay started; a replica that stops short is left for another one. A filtered consumer's
// delivered stream sequence stays at the last message it delivered (2.10 and later), so for it the
// replica's pending count is the end: kill -9 of a leader or follower during 10,000 publishes, then
// four replays at once on the restarted cluster, read all of it on 2.15.1.

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
  { end, filtered }: { end: number; filtered: boolean },
) => {
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
        if (info.num_pending === 0 && (filtered || info.delivered.stream_seq >= end))
          target = info.delivered.consumer_seq;
        else if (info.delivered.stream_seq !== position) {
          position = info.delivered.stream_seq;
          movedAt = Date.now();
        }
      }
      if (target !== undefined && received >= target) return "done";
      return Date.now() - movedAt > STALL_MS ? "stalled" : "reading";
    },
  };
};
