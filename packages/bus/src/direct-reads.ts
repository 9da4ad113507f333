import type { StoredMsg } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";
import { isNoMessage } from "./nats-errors.ts";

const PAGE = 256;

type From = { readonly seq: number } | { readonly since: Date };

/**
 * The messages of `stream` on `subject` (a wildcard may match many subjects) from a sequence or a
 * time on, in order: batch direct gets, a page at a time, without a consumer. A reader that stops
 * early reads no further page.
 */
export async function* storedFrom(
  conn: Connection,
  stream: string,
  subject: string,
  from: From,
): AsyncGenerator<StoredMsg> {
  let start: { seq: number } | { start_time: Date } =
    "seq" in from ? { seq: from.seq } : { start_time: from.since };
  for (;;) {
    const page = await conn.jsm.direct.getBatch(stream, { ...start, next_by_subj: subject, batch: PAGE });
    const got: StoredMsg[] = [];
    try {
      for await (const m of page) {
        got.push(m);
        start = { seq: m.seq + 1 };
      }
    } catch (error) {
      if (!isNoMessage(error)) throw error;
    }
    yield* got;
    if (got.length < PAGE) return;
  }
}

/** Every message of `stream` on `subject` from a sequence or a time on (storedFrom): few per aggregate. */
export const messagesOn = async (
  conn: Connection,
  stream: string,
  subject: string,
  from: From = { seq: 1 },
): Promise<StoredMsg[]> => {
  const found: StoredMsg[] = [];
  for await (const m of storedFrom(conn, stream, subject, from)) found.push(m);
  return found;
};
