import { decodeEvent, type SubjectParts, subjectOf } from "@tongbao/events";
import type { Connection } from "./connect.ts";
import { storedFrom } from "./direct-reads.ts";
import type { ReplayedEvent } from "./replay.ts";
import { streamInfoOf } from "./stream-info.ts";

/**
 * The latest event stored on one aggregate's subject — e.g. the answer to a trace request, or a
 * pass's last word — read with a direct get, without a consumer. Null when there is none.
 */
export const lastEvent = async (conn: Connection, parts: SubjectParts): Promise<ReplayedEvent | null> => {
  const subject = subjectOf(parts);
  const stream = parts.audience === undefined ? conn.streams.events : conn.streams.direct;
  const stored = await conn.jsm.direct.getMessage(stream, { last_by_subj: subject });
  if (stored === null) return null;
  return {
    event: decodeEvent(stored.json(), stored.subject),
    seq: stored.seq,
    subject,
    recordedAt: stored.time,
  };
};

export const lastSeq = async (conn: Connection, stream: "events" | "direct"): Promise<number> => {
  const info = await streamInfoOf(conn, stream === "events" ? conn.streams.events : conn.streams.direct);
  return info.state.messages === 0 ? 0 : info.state.last_seq;
};

export interface EventByIdQuery {
  readonly id: string;
  /** The origin city, when known: only its subjects are read. */
  readonly origin?: string;
  readonly stream: "events" | "direct";
  /** The stored times to look between (inclusive, to the millisecond). */
  readonly since: Date;
  readonly until: Date;
}

/**
 * The first event with this id that `stream` stored between two moments, read with batch direct
 * gets from `since` on, without a consumer or an index. Each message is decoded against the subject
 * it was stored under, as every reader does: a forgery is passed over, never found.
 */
export const eventById = async (conn: Connection, query: EventByIdQuery): Promise<ReplayedEvent | null> => {
  const direct = query.stream === "direct";
  const origin = query.origin ?? "*";
  const subject = direct ? `dm.*.${origin}.>` : query.origin === undefined ? "evt.>" : `evt.${origin}.>`;
  const needle = Buffer.from(JSON.stringify(query.id));
  const stream = direct ? conn.streams.direct : conn.streams.events;
  for await (const m of storedFrom(conn, stream, subject, { since: query.since })) {
    if (m.time.getTime() > query.until.getTime()) return null;
    // Only a body that holds the id at all is decoded.
    if (Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).indexOf(needle) < 0) continue;
    try {
      const event = decodeEvent(m.json(), m.subject);
      if (event.id === query.id) return { event, seq: m.seq, subject: m.subject, recordedAt: m.time };
    } catch {
      // Unreadable, or a body that disagrees with its subject: not this notice.
    }
  }
  return null;
};
