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
    // Read by direct gets, which name the key in the subject: NATS then lets each consumer's owner
    // read its own marks only (a stream message get names it in the body, out of a permission's reach).
    bucket ??= new Kvm(conn.js).open(Buckets.handled, { allow_direct: true });
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
