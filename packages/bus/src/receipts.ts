import { isCityId, isToken } from "@tongbao/events";
import { MAX_ATOMIC_BATCH, publishAtomic } from "./atomic-batch.ts";
import type { Connection } from "./connect.ts";
import { ConcurrencyConflictError } from "./errors.ts";
import { untilDeadline } from "./retry.ts";

/** Which event: receipts are keyed by the notice's origin and id. */
export interface NoticeRef {
  readonly origin: string;
  readonly id: string;
}

export interface Receipt {
  readonly notice: NoticeRef;
  /** The city whose systems now have the notice. */
  readonly receiver: string;
  /** When the receiving city's systems had it (default: now). */
  readonly at?: string;
}

export interface Acknowledgement {
  readonly city: string;
  readonly at: string;
}

export interface ReceiptReport {
  readonly acknowledged: readonly Acknowledgement[];
  readonly pending: readonly string[];
}

const receiptSubject = (notice: NoticeRef, receiver: string) => {
  if (!isCityId(notice.origin) || !isToken(notice.id) || !isCityId(receiver)) {
    throw new TypeError("a receipt needs a valid origin city, event id and receiving city");
  }
  return `rcpt.${notice.origin}.${notice.id}.${receiver}`;
};

/** One receipt, stored on its own; the first one wins, a repeat answers `duplicate`. */
const storeOne = async (conn: Connection, subject: string, body: string): Promise<{ duplicate: boolean }> => {
  try {
    const ack = await untilDeadline(`receipt ${subject}`, 30_000, (timeout) =>
      conn.atTurnEnd(() =>
        conn.js.publish(subject, body, { timeout, msgID: subject, expect: { lastSubjectSequence: 0 } }),
      ),
    );
    return { duplicate: ack.duplicate };
  } catch (error) {
    if (error instanceof ConcurrencyConflictError) return { duplicate: true };
    throw error;
  }
};

interface Waiting {
  readonly subject: string;
  readonly body: string;
  readonly resolve: (result: { duplicate: boolean }) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Receipts are group-committed: while one write is on its way to the disk, the receipts recorded
 * meanwhile wait and go as one atomic batch (a few fsyncs for up to 1,000 receipts, where one
 * publish each costs one fsync under `sync_interval: always`). No receipt waits for a timer: a
 * receipt on an idle connection is written at once, alone. A batch the server refuses — one of its
 * receipts is a repeat, first-wins — is written again one receipt at a time, so each repeat is
 * answered as one and the others are stored.
 */
const receiptWriter = (conn: Connection) => {
  let waiting: Waiting[] = [];
  let writing = false;
  const writeBatch = async (batch: readonly Waiting[]) => {
    if (batch.length > 1) {
      const messages = batch.map(({ subject, body }) => ({
        subject,
        payload: body,
        msgId: subject,
        expectedLastSubjectSequence: 0,
      }));
      try {
        await publishAtomic(conn, messages, conn.apiTimeoutMs);
        for (const w of batch) w.resolve({ duplicate: false });
        return;
      } catch {
        // Refused as a whole (a repeat in it), or no answer (stored or not, the ids tell): one by one.
      }
    }
    await Promise.all(
      batch.map((w) =>
        storeOne(conn, w.subject, w.body).then(w.resolve, (error: unknown) => w.reject(error)),
      ),
    );
  };
  const drain = async () => {
    writing = true;
    try {
      while (waiting.length > 0) {
        const batch = waiting.slice(0, MAX_ATOMIC_BATCH);
        waiting = waiting.slice(batch.length);
        await writeBatch(batch);
      }
    } finally {
      writing = false;
    }
  };
  return (subject: string, body: string) =>
    new Promise<{ duplicate: boolean }>((resolve, reject) => {
      waiting.push({ subject, body, resolve, reject });
      // Receipts recorded in the same turn start together; later ones join the next batch.
      if (!writing && waiting.length === 1) setImmediate(() => void drain());
    });
};

const writers = new WeakMap<Connection, ReturnType<typeof receiptWriter>>();

/**
 * Records that `receiver` has the notice, and resolves once it is stored (on disk). One receipt per
 * (notice, city), ever: the first one wins (expected last subject sequence 0), so a repeated
 * delivery neither double-counts nor moves its time.
 */
export const recordReceipt = async (conn: Connection, receipt: Receipt): Promise<{ duplicate: boolean }> => {
  const subject = receiptSubject(receipt.notice, receipt.receiver);
  const body = JSON.stringify({ ...receipt, at: receipt.at ?? new Date().toISOString() });
  let write = writers.get(conn);
  if (write === undefined) {
    write = receiptWriter(conn);
    writers.set(conn, write);
  }
  return write(subject, body);
};

/** Which of the expected cities have acknowledged the notice, and when; which are still pending. */
export const receiptsOf = async (
  conn: Connection,
  notice: NoticeRef,
  expected: readonly string[],
): Promise<ReceiptReport> => {
  const found = await Promise.all(
    expected.map(async (city) => {
      const stored = await conn.jsm.direct.getMessage(conn.streams.receipts, {
        last_by_subj: receiptSubject(notice, city),
      });
      return stored === null ? { city, at: null } : { city, at: stored.json<{ at: string }>().at };
    }),
  );
  return {
    acknowledged: found.flatMap(({ city, at }) => (at === null ? [] : [{ city, at }])),
    pending: found.flatMap(({ city, at }) => (at === null ? [city] : [])),
  };
};
