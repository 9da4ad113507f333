import { AckPolicy, DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";
import { ConcurrencyConflictError } from "./errors.ts";
import { originalPlaceOf } from "./redrive.ts";
import { expiryOf, ttlUntil } from "./retention.ts";
import { untilDeadline } from "./retry.ts";
import { Consumers, Streams } from "./topology/names.ts";

export const DeadLetterReason = {
  /** The handler failed on every attempt. */
  handlerFailed: "handler-failed",
  /** The stored message is not a readable Tongbao event; retrying cannot help. */
  undecodable: "undecodable",
  /** The body names another origin, target, type or key than the subject it was stored under. */
  impersonation: "impersonation",
  /** The aggregate's decider refuses it on read: not the publisher's to say (a raw client's forgery). */
  refused: "refused",
  /** Delivered the maximum number of times without ever being acknowledged (crash, hang). */
  maxDeliveries: "max-deliveries",
  /** Terminated by a consumer that is not Tongbao's subscriber. */
  terminated: "terminated",
} as const;
export type DeadLetterReason = (typeof DeadLetterReason)[keyof typeof DeadLetterReason];

/** A copy of a message a consumer gave up on, with why, kept in DEADLETTER until handled. */
export interface DeadLetter {
  readonly consumer: string;
  readonly stream: string;
  readonly seq: number;
  readonly subject: string;
  readonly reason: DeadLetterReason;
  readonly error: string;
  readonly attempts: number;
  readonly deadAt: string;
  /** The original message as stored; null when it was gone (e.g. expired) before it could be copied. */
  readonly payload: string | null;
  /**
   * When the original expires, and this copy with it (a directed message's personal data); null when
   * the original is kept. Absent in dead letters stored before copies expired.
   */
  readonly expiresAt?: string | null;
}

/** A dead letter to store, and where and when its original was stored. */
export interface DeadLetterDraft extends Omit<DeadLetter, "expiresAt"> {
  readonly original: { readonly stream: string; readonly recordedAtMs: number };
}

export const deadLetterSubject = (consumer: string, stream: string, seq: number) =>
  `dlq.${consumer}.${stream}.${seq}`;

const MAX_ERROR_LENGTH = 1_000;
export const describeError = (error: unknown): string => {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
};

/**
 * Stores a dead letter once per (consumer, stream, sequence), however often it is attempted: the
 * subject must still be empty (expected last subject sequence 0). Returns false when it already was.
 */
export const storeDeadLetter = async (conn: Connection, draft: DeadLetterDraft): Promise<boolean> => {
  const { original, ...rest } = draft;
  const subject = deadLetterSubject(draft.consumer, draft.stream, draft.seq);
  const expiresAt = await expiryOf(conn, original.stream, original.recordedAtMs);
  const letter: DeadLetter = { ...rest, expiresAt };
  try {
    await untilDeadline(`dead-letter ${subject}`, 30_000, (timeout) =>
      conn.js.publish(subject, JSON.stringify(letter), {
        timeout,
        expect: { lastSubjectSequence: 0 },
        ...(expiresAt !== null && { ttl: ttlUntil(expiresAt) }),
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConcurrencyConflictError) return false;
    throw error;
  }
};

export const deadLetterOf = (
  msg: JsMsg,
  consumer: string,
  reason: DeadLetterReason,
  error: unknown,
): DeadLetterDraft => ({
  consumer,
  stream: msg.info.stream,
  seq: msg.seq,
  subject: msg.subject,
  reason,
  error: describeError(error),
  attempts: msg.info.deliveryCount,
  deadAt: new Date().toISOString(),
  payload: msg.string(),
  original: originalPlaceOf(msg),
});

interface ConsumerAdvisory {
  readonly stream: string;
  readonly consumer: string;
  readonly stream_seq: number;
  readonly deliveries?: number;
  readonly reason?: string;
}

const MOVER = Consumers.deadLetterMover;

/**
 * Turns the server's max-deliveries and terminated advisories (captured in ADVISORIES) into dead
 * letters with the original message. Catches what a subscriber could not record itself: a handler
 * that crashed or hung on every attempt. Durable, so a mover that was down misses nothing.
 */
export const startDeadLetterMover = async (conn: Connection): Promise<{ stop(): Promise<void> }> => {
  await conn.jsm.consumers.add(Streams.advisories, {
    durable_name: MOVER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  const consumer = await conn.js.consumers.get(Streams.advisories, MOVER);
  const messages = await consumer.consume({ max_messages: 64 });
  const done = (async () => {
    for await (const m of messages) {
      try {
        await moveOne(conn, m);
        m.ack();
      } catch {
        m.nak(5_000);
      }
    }
  })();
  return {
    stop: async () => {
      await messages.close();
      await done;
    },
  };
};

const moveOne = async (conn: Connection, m: JsMsg) => {
  const advisory = m.json<ConsumerAdvisory>();
  const terminated = m.subject.includes(".MSG_TERMINATED.");
  const stored = await conn.jsm.streams
    .getMessage(advisory.stream, { seq: advisory.stream_seq })
    .catch(() => null);
  await storeDeadLetter(conn, {
    consumer: advisory.consumer,
    stream: advisory.stream,
    seq: advisory.stream_seq,
    subject: stored?.subject ?? "",
    reason: terminated ? DeadLetterReason.terminated : DeadLetterReason.maxDeliveries,
    error: terminated
      ? `terminated by the consumer${advisory.reason ? `: ${advisory.reason}` : ""}`
      : `delivered ${advisory.deliveries ?? "the maximum number of"} times without an acknowledgement`,
    attempts: advisory.deliveries ?? 0,
    deadAt: new Date().toISOString(),
    payload: stored === null ? null : stored.string(),
    original:
      stored === null
        ? { stream: advisory.stream, recordedAtMs: Date.now() }
        : originalPlaceOf({
            info: { stream: advisory.stream, timestampNanos: stored.time.getTime() * 1e6 },
            headers: stored.header,
          }),
  });
};
