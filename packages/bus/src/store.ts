import { type KV, Kvm } from "@nats-io/kv";
import { nanos } from "@nats-io/transport-node";
import { MAX_ATOMIC_BATCH, publishAtomic } from "./atomic-batch.ts";
import type { Connection } from "./connect.ts";
import { ConcurrencyConflictError } from "./errors.ts";
import { isConflict, JetStreamCode, jetStreamCodeOf } from "./nats-errors.ts";
import { maxAgeOf } from "./retention.ts";
import { placing } from "./topology/placing.ts";

export interface StoredValue<T> {
  readonly value: T;
  /** The revision to pass to `update` for a compare-and-set. */
  readonly revision: number;
}

/** A JSON key-value bucket in NATS KV, for read models and service state. */
export interface Store<T> {
  readonly bucket: string;
  get(key: string): Promise<StoredValue<T> | null>;
  put(key: string, value: T): Promise<number>;
  /**
   * Writes many values as JetStream atomic batches of up to 1,000 (the bucket's stream allows them
   * from the first call on): under `sync_interval: always` a batch costs a few fsyncs where as many
   * puts cost one each. Each batch is stored whole or not at all; an error leaves earlier batches.
   */
  putMany(entries: readonly (readonly [string, T])[]): Promise<void>;
  /** Writes only if the key is still at `revision` (0: absent); throws ConcurrencyConflictError otherwise. */
  update(key: string, value: T, revision: number): Promise<number>;
  delete(key: string): Promise<void>;
  keys(filter?: string): AsyncIterable<string>;
  /** Removes the bucket and everything in it (a rebuild starts from nothing). */
  destroy(): Promise<void>;
}

export interface StoreOptions {
  /** Values kept per key (default 1). */
  readonly history?: number;
  readonly replicas?: number;
  /**
   * Values derived from directed messages: the bucket keeps each no longer than the directed
   * stream keeps a message (its max age), counted from the value's last write — the latest
   * directed message folded into it. A bucket made before gets the max age on open.
   */
  readonly expiresWithDirect?: boolean;
}

const encoder = new TextEncoder();
const BATCHES_IN_FLIGHT = 3;
const bucketName = /^[A-Za-z0-9_-]+$/;
// Key tokens as NATS KV allows them; `.` separates a key's parts.
const keyName = /^[-/_=.A-Za-z0-9]+$/;

const checkKey = (key: string) => {
  if (!keyName.test(key) || key.startsWith(".") || key.endsWith(".") || key.includes(".."))
    throw new TypeError("a store key may hold only A-Z, a-z, 0-9, '-', '_', '/', '=' and '.' between parts");
};

/** Gives an existing bucket's stream the max age it was made without (never a longer one). */
const keepNoLonger = async (conn: Connection, stream: string, maxAgeMs: number) => {
  const { config } = await conn.jsm.streams.info(stream);
  const wanted = nanos(maxAgeMs);
  if (config.max_age === 0 || config.max_age > wanted)
    await conn.jsm.streams.update(stream, {
      ...config,
      max_age: wanted,
      // A stream refuses a duplicate window longer than its max age.
      duplicate_window: Math.min(config.duplicate_window, wanted),
    });
};

export const openStore = async <T>(
  conn: Connection,
  bucket: string,
  options: StoreOptions = {},
): Promise<Store<T>> => {
  if (!bucketName.test(bucket)) throw new TypeError("a bucket name may hold only A-Z, a-z, 0-9, '-', '_'");
  const maxAgeMs = options.expiresWithDirect === true ? await maxAgeOf(conn, conn.streams.direct) : 0;
  const make = () =>
    placing(() =>
      new Kvm(conn.js).create(bucket, {
        history: options.history ?? 1,
        replicas: options.replicas ?? 1,
        ...(maxAgeMs > 0 ? { ttl: maxAgeMs } : {}),
      }),
    );
  // Two services starting at once both find the bucket missing; the one that comes second finds it
  // made (and perhaps already changed, e.g. allow_atomic) by the first: then it opens it as it is.
  const kv: KV = await make().catch((error: unknown) => {
    if (jetStreamCodeOf(error) !== JetStreamCode.streamNameInUse) throw error;
    return make();
  });
  if (maxAgeMs > 0) await keepNoLonger(conn, `KV_${bucket}`, maxAgeMs);
  const encode = (value: T) => encoder.encode(JSON.stringify(value));
  // KV buckets are made without allow_atomic (the KV client has no such option): turned on once.
  let atomic: Promise<void> | undefined;
  const allowAtomic = async () => {
    const stream = `KV_${bucket}`;
    const { config } = await conn.jsm.streams.info(stream);
    if (config.allow_atomic !== true)
      await conn.jsm.streams.update(stream, { ...config, allow_atomic: true });
  };
  return {
    bucket,
    get: async (key) => {
      checkKey(key);
      const entry = await kv.get(key);
      if (entry === null || entry.operation !== "PUT") return null;
      return { value: entry.json<T>(), revision: entry.revision };
    },
    put: (key, value) => {
      checkKey(key);
      return kv.put(key, encode(value));
    },
    putMany: async (entries) => {
      for (const [key] of entries) checkKey(key);
      if (entries.length === 0) return;
      atomic ??= allowAtomic().catch((error: unknown) => {
        atomic = undefined;
        throw error;
      });
      await atomic;
      // A few batches in flight: the client encodes the next while the server commits one.
      const inFlight = new Set<Promise<unknown>>();
      for (let i = 0; i < entries.length; i += MAX_ATOMIC_BATCH) {
        const batch = entries.slice(i, i + MAX_ATOMIC_BATCH).map(([key, value]) => ({
          subject: `$KV.${bucket}.${key}`,
          payload: encode(value),
        }));
        const sent = publishAtomic(conn, batch, conn.apiTimeoutMs);
        inFlight.add(sent);
        sent.then(
          () => inFlight.delete(sent),
          () => undefined,
        );
        if (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    },
    update: async (key, value, revision) => {
      checkKey(key);
      try {
        return revision === 0
          ? await kv.create(key, encode(value))
          : await kv.update(key, encode(value), revision);
      } catch (error) {
        if (isConflict(error))
          throw new ConcurrencyConflictError(`${bucket}/${key} changed meanwhile`, { cause: error });
        throw error;
      }
    },
    delete: async (key) => {
      checkKey(key);
      await kv.delete(key);
    },
    keys: async function* (filter) {
      yield* await kv.keys(filter);
    },
    destroy: async () => {
      await kv.destroy();
    },
  };
};
