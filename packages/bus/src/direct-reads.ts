import type { StoredMsg } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";
import { isNoMessage } from "./nats-errors.ts";

const PAGE = 256;

/**
 * Every message of `stream` on `subject` (a wildcard may match many subjects) from a sequence or a
 * time on, in order: batch direct gets, a page at a time, without a consumer. Few per aggregate.
 */
export const messagesOn = async (
  conn: Connection,
  stream: string,
  subject: string,
  from: { readonly seq: number } | { readonly since: Date } = { seq: 1 },
): Promise<StoredMsg[]> => {
  const found: StoredMsg[] = [];
  let start: { seq: number } | { start_time: Date } =
    "seq" in from ? { seq: from.seq } : { start_time: from.since };
  for (;;) {
    const page = await conn.jsm.direct.getBatch(stream, { ...start, next_by_subj: subject, batch: PAGE });
    let count = 0;
    try {
      for await (const m of page) {
        found.push(m);
        count++;
        start = { seq: m.seq + 1 };
      }
    } catch (error) {
      if (!isNoMessage(error)) throw error;
    }
    if (count < PAGE) return found;
  }
};
