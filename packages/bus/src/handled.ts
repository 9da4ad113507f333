import { type KV, Kvm } from "@nats-io/kv";
import type { Connection } from "./connect.ts";
import { Buckets } from "./topology/names.ts";

/**
 * Remembers which events a consumer has handled, so a redelivery (or the same event stored twice,
 * outside JetStream's duplicate window) reaches the handler once. Entries expire with the bucket's TTL.
 */
export interface HandledLog {
  has(consumer: string, origin: string, eventId: string): Promise<boolean>;
  mark(consumer: string, origin: string, eventId: string): Promise<void>;
}

const keyOf = (consumer: string, origin: string, eventId: string) => `${consumer}.${origin}.${eventId}`;
const MARK = new Uint8Array([49]);

export const createHandledLog = (conn: Connection): HandledLog => {
  let bucket: Promise<KV> | undefined;
  const kv = () => {
    bucket ??= new Kvm(conn.js).open(Buckets.handled);
    return bucket;
  };
  return {
    has: async (consumer, origin, eventId) => {
      const entry = await (await kv()).get(keyOf(consumer, origin, eventId));
      return entry?.operation === "PUT";
    },
    mark: async (consumer, origin, eventId) => {
      await (await kv()).put(keyOf(consumer, origin, eventId), MARK);
    },
  };
};
