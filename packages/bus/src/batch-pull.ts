import { createInbox, type Msg, nanos } from "@nats-io/transport-node";
import type { Connection } from "./connect.ts";
import { TimeoutError } from "./errors.ts";

// A replay reads a stream's history as fast as the server sends it. The client's consume() hands
// over one message per promise, which cost a replay about a fifth of its speed against a raw client
// (bench: replay sdk/raw 0.72). This pulls whole batches with the JetStream pull protocol itself
// ($JS.API.CONSUMER.MSG.NEXT, `no_wait`: the server sends what it has, then a 404 status) and hands
// each batch over at once; at most a batch and a half is asked for ahead, so memory stays bounded.

/** A message as a replay needs it: where it sits in the stream and what is left after it. */
export interface PulledMessage {
  readonly subject: string;
  readonly data: Uint8Array;
  readonly seq: number;
  /** Messages the consumer still holds after this one. */
  readonly pending: number;
  readonly recordedMs: number;
}

/** `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.<dseq>.<ts>.<pending>`, or the newer form with domain and account hash first. */
const pulledOf = (m: Msg): PulledMessage | undefined => {
  const reply = m.reply;
  if (reply === undefined || !reply.startsWith("$JS.ACK.")) return undefined;
  const t = reply.split(".");
  const at = t.length === 9 ? 4 : 6;
  return {
    subject: m.subject,
    data: m.data,
    seq: Number(t[at + 1]),
    pending: Number(t[at + 4]),
    recordedMs: Math.floor(Number(t[at + 3]) / 1e6),
  };
};

/** The status of a message without a JetStream reply (404 no messages, 408 expired, 409 …). */
const statusOf = (m: Msg): number | undefined => m.headers?.code;

/**
 * Batches from an unacknowledged consumer until its last message (pending 0) or `end`. Each batch
 * is requested with `no_wait`, so a pull never waits for messages that will not come.
 */
export async function* pullBatches(
  conn: Connection,
  stream: string,
  consumer: string,
  { batch, end }: { batch: number; end: number },
): AsyncGenerator<PulledMessage[]> {
  const inbox = createInbox();
  let ready: PulledMessage[] = [];
  /** Messages the pull in flight may still bring (0: none in flight). */
  let outstanding = 0;
  let finished = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const sub = conn.nc.subscribe(inbox, {
    callback: (error, m) => {
      if (error) {
        failure = error;
      } else {
        const pulled = pulledOf(m);
        if (pulled !== undefined) {
          ready.push(pulled);
          outstanding--;
          if (pulled.pending === 0 || pulled.seq >= end) finished = true;
        } else {
          const status = statusOf(m);
          // 404/408: this pull is over (nothing more now); 100: a heartbeat; anything else fails.
          if (status === 404 || status === 408) outstanding = 0;
          else if (status !== 100) failure = new Error(`pulling ${stream}/${consumer}: status ${status}`);
        }
      }
      signal();
    },
  });
  const pull = () => {
    outstanding += batch;
    conn.nc.publish(
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
      JSON.stringify({ batch, no_wait: true, expires: nanos(conn.apiTimeoutMs) }),
      { reply: inbox },
    );
  };
  try {
    pull();
    for (;;) {
      if (failure) throw failure;
      if (ready.length > 0) {
        const got = ready;
        ready = [];
        // The next batch is asked for while half of this pull is still arriving, as consume() does.
        if (!finished && outstanding < batch / 2) pull();
        yield got;
        if (finished && ready.length === 0) return;
        continue;
      }
      if (finished) return;
      if (outstanding <= 0) pull();
      const waited = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), conn.apiTimeoutMs);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      if (!waited) throw new TimeoutError(`replay of ${stream}: no message within ${conn.apiTimeoutMs} ms`);
    }
  } finally {
    sub.unsubscribe();
  }
}
