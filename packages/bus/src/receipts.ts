import { isCityId, isToken } from "@tongbao/events";
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

/**
 * Records that `receiver` has the notice. One receipt per (notice, city), ever: the first one wins
 * (expected last subject sequence 0), so a repeated delivery neither double-counts nor moves its time.
 */
export const recordReceipt = async (conn: Connection, receipt: Receipt): Promise<{ duplicate: boolean }> => {
  const subject = receiptSubject(receipt.notice, receipt.receiver);
  const body = JSON.stringify({ ...receipt, at: receipt.at ?? new Date().toISOString() });
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
