import { decodeEvent, type SubjectParts, subjectOf } from "@tongbao/events";
import type { Connection } from "./connect.ts";
import { isNoMessage } from "./nats-errors.ts";
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

const PAGE = 256;

/**
 * The first event with this id that `stream` stored between two moments, read with batch direct
 * gets from `since` on, without a consumer or an index. Each message is decoded against the subject
 * it was stored under, as every reader does: a forgery is passed over, never found.
 */
export const eventById = async (conn: Connection, query: EventByIdQuery): Promise<ReplayedEvent | null> => {
  const direct = query.stream === "direct";
  const stream = direct ? conn.streams.direct : conn.streams.events;
  const origin = query.origin ?? "*";
  const subject = direct ? `dm.*.${origin}.>` : query.origin === undefined ? "evt.>" : `evt.${origin}.>`;
  const untilMs = query.until.getTime();
  const needle = Buffer.from(JSON.stringify(query.id));
  let start: { seq: number } | { start_time: Date } = { start_time: query.since };
  for (;;) {
    const page = await conn.jsm.direct.getBatch(stream, { ...start, next_by_subj: subject, batch: PAGE });
    let count = 0;
    try {
      for await (const m of page) {
        count++;
        if (m.time.getTime() > untilMs) return null;
        start = { seq: m.seq + 1 };
        // Only a body that holds the id at all is decoded.
        if (Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength).indexOf(needle) < 0) continue;
        try {
          const event = decodeEvent(m.json(), m.subject);
          if (event.id === query.id) return { event, seq: m.seq, subject: m.subject, recordedAt: m.time };
        } catch {
          // Unreadable, or a body that disagrees with its subject: not this notice.
        }
      }
    } catch (error) {
      if (!isNoMessage(error)) throw error;
    }
    if (count < PAGE) return null;
  }
};
