import { Kvm } from "@nats-io/kv";
import type { Connection } from "./connect.ts";
import { Buckets } from "./topology/names.ts";

// A consumer reset (to its ack floor) forgets how often each message was delivered, so a message
// that kills its handler's process every time would be delivered for ever. The takeovers at each
// ack floor are counted here: past a bound the consumer is no longer reset, and JetStream's own
// delivery limit ends the loop (the dead-letter mover then copies the message to DEADLETTER).

export interface TakeoverLog {
  /** Counts this takeover of `consumer` at `ackFloor`; resolves with how many there were, this one included. */
  count(consumer: string, ackFloor: number): Promise<number>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const createTakeoverLog = (conn: Connection): TakeoverLog => {
  const bucket = new Kvm(conn.js).open(Buckets.takeovers, { allow_direct: true });
  return {
    count: async (consumer, ackFloor) => {
      const kv = await bucket;
      const key = `${consumer}.${ackFloor}`;
      const entry = await kv.get(key);
      const seen = entry?.operation === "PUT" ? Number(decoder.decode(entry.value)) || 0 : 0;
      await kv.put(key, encoder.encode(String(seen + 1)));
      return seen + 1;
    },
  };
};
