import { decodeEvent, type SubjectParts, subjectOf } from "@tongbao/events";
import type { Connection } from "./connect.ts";
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
