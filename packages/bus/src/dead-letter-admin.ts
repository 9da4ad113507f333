import { AckPolicy, DeliverPolicy, type StoredMsg } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import { isToken } from "@tongbao/events";
import type { Connection } from "./connect.ts";
import { type DeadLetter, DeadLetterReason } from "./dead-letters.ts";
import { PermissionDeniedError } from "./errors.ts";
import { toBusError } from "./nats-errors.ts";
import { originalMessage, placeOfDeadLetter, redrivenAt, redriveOne } from "./redrive.ts";
import { Streams } from "./topology/names.ts";

/** A dead letter as an operator sees it: where it is in DEADLETTER, and whether it was re-driven. */
export interface StoredDeadLetter extends DeadLetter {
  readonly dlqSeq: number;
  readonly redriven?: { readonly at: string };
}

/** Which dead letters an operation applies to: every field set must match; `all` says "every one". */
export interface DeadLetterSelector {
  readonly dlqSeq?: number;
  readonly consumer?: string;
  readonly reason?: DeadLetterReason;
  readonly all?: true;
}

export interface DeadLetterFilter {
  readonly consumer?: string;
  readonly reason?: string;
  /** The newest this many (default 1,000), oldest first. */
  readonly limit?: number;
}

export interface DeadLetterAdmin {
  list(filter?: DeadLetterFilter): Promise<StoredDeadLetter[]>;
  show(dlqSeq: number): Promise<StoredDeadLetter | null>;
  /** Sends the selected dead letters back to their consumers; one already re-driven is skipped. */
  redrive(selector: DeadLetterSelector): Promise<{ redriven: number; skipped: number }>;
  /** Deletes the selected dead letters from DEADLETTER. */
  drop(selector: DeadLetterSelector): Promise<{ dropped: number }>;
}

const DEFAULT_LIMIT = 1_000;
const reasons = new Set<string>(Object.values(DeadLetterReason));

const checkFilter = (filter: DeadLetterFilter & { dlqSeq?: number }) => {
  if (filter.consumer !== undefined && !isToken(filter.consumer))
    throw new TypeError(
      `consumer must be a consumer name (A-Z, a-z, 0-9, '_', '-'), got "${filter.consumer}"`,
    );
  if (filter.reason !== undefined && !reasons.has(filter.reason))
    throw new TypeError(`reason must be one of ${[...reasons].join(", ")}, got "${filter.reason}"`);
  if (filter.limit !== undefined && !(Number.isSafeInteger(filter.limit) && filter.limit > 0))
    throw new TypeError("limit must be a positive whole number");
  if (filter.dlqSeq !== undefined && !(Number.isSafeInteger(filter.dlqSeq) && filter.dlqSeq > 0))
    throw new TypeError("dlqSeq must be a positive whole number (a DEADLETTER sequence)");
};

/**
 * A dead letter as stored, judged by its subject: `dlq.<consumer>.<stream>.<seq>` says whose it is and
 * which message it stands for (NATS lets each consumer's owner write under its own name only); the
 * body's own claims to those are ignored. Undefined for what Tongbao did not write.
 */
const letterOf = (m: Pick<StoredMsg, "seq" | "json" | "subject">): StoredDeadLetter | undefined => {
  const place = placeOfDeadLetter(m.subject);
  if (place === undefined) return undefined;
  try {
    const body = m.json<DeadLetter>();
    if (!reasons.has(body.reason)) return undefined;
    return { ...body, ...place, dlqSeq: m.seq };
  } catch {
    return undefined; // not written by Tongbao: nothing an operator could re-drive
  }
};

/**
 * The letter with its message as the stream holds it — the original, or for a re-driven copy the
 * original it was made from — never as the letter's writer said: the payload re-driven and shown
 * is what was stored, under the subject it was stored under. Gone (expired) means no payload.
 */
const withOriginal = async (conn: Connection, letter: StoredDeadLetter): Promise<StoredDeadLetter> => {
  const original = await originalMessage(conn, letter.stream, letter.seq);
  return { ...letter, subject: original?.subject ?? letter.subject, payload: original?.payload ?? null };
};

/** Every dead letter of one consumer (or all), oldest first, keeping only the newest `limit`. */
const readLetters = async (
  conn: Connection,
  consumer: string | undefined,
  keep: (l: DeadLetter) => boolean,
  limit: number,
) => {
  const info = await conn.jsm.consumers.add(Streams.deadLetters, {
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
    filter_subject: consumer === undefined ? "dlq.>" : `dlq.${consumer}.>`,
    inactive_threshold: nanos(60_000),
    mem_storage: true,
  });
  const letters: StoredDeadLetter[] = [];
  try {
    if (info.num_pending === 0) return letters;
    const messages = await (await conn.js.consumers.get(Streams.deadLetters, info.name)).consume({
      max_messages: 1_000,
    });
    for await (const m of messages) {
      const letter = letterOf(m);
      if (letter !== undefined && keep(letter)) {
        letters.push(letter);
        if (letters.length > limit) letters.shift();
      }
      if (m.info.pending === 0) break;
    }
    await messages.close();
    return letters;
  } finally {
    await conn.jsm.consumers.delete(Streams.deadLetters, info.name).catch(() => false);
  }
};

const withRedriven = async (conn: Connection, stored: StoredDeadLetter): Promise<StoredDeadLetter> => {
  const letter = await withOriginal(conn, stored);
  const at = await redrivenAt(conn, letter);
  return at === undefined ? letter : { ...letter, redriven: { at } };
};

/** Operators' view of DEADLETTER: list, inspect, re-drive (once each) and drop dead letters. */
export const createDeadLetterAdmin = (conn: Connection): DeadLetterAdmin => {
  const show = async (dlqSeq: number) => {
    checkFilter({ dlqSeq });
    const stored = await conn.jsm.streams.getMessage(Streams.deadLetters, { seq: dlqSeq }).catch(() => null);
    const letter = stored === null ? undefined : letterOf(stored);
    return letter === undefined ? null : withRedriven(conn, letter);
  };

  const select = async (selector: DeadLetterSelector): Promise<StoredDeadLetter[]> => {
    if (
      selector.dlqSeq === undefined &&
      selector.consumer === undefined &&
      selector.reason === undefined &&
      selector.all !== true
    )
      throw new TypeError("select dead letters by dlqSeq, consumer or reason, or say all: true");
    checkFilter(selector);
    const matches = (l: DeadLetter) =>
      (selector.consumer === undefined || l.consumer === selector.consumer) &&
      (selector.reason === undefined || l.reason === selector.reason);
    if (selector.dlqSeq !== undefined) {
      const letter = await show(selector.dlqSeq);
      return letter !== null && matches(letter) ? [letter] : [];
    }
    const letters = await readLetters(conn, selector.consumer, matches, Number.POSITIVE_INFINITY);
    return Promise.all(letters.map((letter) => withOriginal(conn, letter)));
  };

  return {
    list: async (filter = {}) => {
      checkFilter(filter);
      const letters = await readLetters(
        conn,
        filter.consumer,
        (l) => filter.reason === undefined || l.reason === filter.reason,
        filter.limit ?? DEFAULT_LIMIT,
      );
      return Promise.all(letters.map((letter) => withRedriven(conn, letter)));
    },
    show,
    redrive: async (selector) => {
      const letters = await select(selector);
      let redriven = 0;
      for (const letter of letters) {
        if (await redriveOne(conn, letter)) redriven++;
      }
      return { redriven, skipped: letters.length - redriven };
    },
    drop: async (selector) => {
      let dropped = 0;
      for (const letter of await select(selector)) {
        // Gone already (dropped by someone else) counts as not dropped; a refusal is an error to report.
        const deleted = await conn.jsm.streams
          .deleteMessage(Streams.deadLetters, letter.dlqSeq, false)
          .catch((error: unknown) => {
            const mapped = toBusError(error, `drop dead letter ${letter.dlqSeq}`);
            if (mapped instanceof PermissionDeniedError) throw mapped;
            return false;
          });
        if (deleted) dropped++;
      }
      return { dropped };
    },
  };
};
