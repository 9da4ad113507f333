import type { Connection } from "./connect.ts";
import { streamInfoOf } from "./stream-info.ts";

// Personal data expires: a directed message lives as long as its stream's max age, and so does every
// copy made of it (a dead letter, a re-drive), counted from when the original was stored, not from
// when the copy was made. JetStream's per-message TTL (streams with `allow_msg_ttl`) does it.

const maxAges = new WeakMap<Connection, Map<string, Promise<number>>>();

/** The stream's max age in milliseconds (0: it keeps messages), asked once per connection. */
export const maxAgeOf = (conn: Connection, stream: string): Promise<number> => {
  const known = maxAges.get(conn) ?? new Map<string, Promise<number>>();
  maxAges.set(conn, known);
  let age = known.get(stream);
  if (age === undefined) {
    age = streamInfoOf(conn, stream).then((info) => Math.floor(info.config.max_age / 1e6));
    age.catch(() => known.delete(stream));
    known.set(stream, age);
  }
  return age;
};

/** When a message stored in `stream` at `recordedAtMs` expires; null when the stream keeps it. */
export const expiryOf = async (
  conn: Connection,
  stream: string,
  recordedAtMs: number,
): Promise<string | null> => {
  const age = await maxAgeOf(conn, stream);
  return age > 0 ? new Date(recordedAtMs + age).toISOString() : null;
};

/** The Nats-TTL of a copy that must be gone when the original is: at least a second. */
export const ttlUntil = (expiresAt: string, nowMs = Date.now()): string =>
  `${Math.max(1, Math.ceil((Date.parse(expiresAt) - nowMs) / 1000))}s`;
