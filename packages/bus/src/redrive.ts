import type { JsMsg } from "@nats-io/jetstream";
import { type MsgHdrs, headers as natsHeaders } from "@nats-io/transport-node";
import { METRO_ORIGIN } from "@tongbao/events";
import type { Connection } from "./connect.ts";
import type { DeadLetter } from "./dead-letters.ts";
import { ConcurrencyConflictError } from "./errors.ts";
import { expiryOf, ttlUntil } from "./retention.ts";
import { untilDeadline } from "./retry.ts";
import { ConsumerServices, Streams } from "./topology/names.ts";

// Where a re-driven message came from, carried in headers so that the handler sees the original
// delivery (its deadlines run from when the original was stored, not from the re-drive).
const ORIGINAL_STREAM = "Tongbao-Original-Stream";
const ORIGINAL_SEQ = "Tongbao-Original-Seq";
const ORIGINAL_SUBJECT = "Tongbao-Original-Subject";
const ORIGINAL_RECORDED_AT = "Tongbao-Original-Recorded-At";

export const redriveSubject = (consumer: string, stream: string, seq: number) =>
  `rdv.${consumer}.${stream}.${seq}`;

export const redriveFilter = (consumer: string) => `rdv.${consumer}.>`;

interface Original {
  readonly stream: string;
  readonly seq: number;
  readonly subject: string;
  readonly recordedAtMs?: number;
}

/** Where a dead letter's subject says its message is: `dlq.<consumer>.<stream>.<seq>`. */
export const placeOfDeadLetter = (
  subject: string,
): { consumer: string; stream: string; seq: number } | undefined => {
  const [space, consumer, stream, seq, ...rest] = subject.split(".");
  const n = Number(seq);
  if (space !== "dlq" || consumer === undefined || stream === undefined || rest.length > 0) return undefined;
  return Number.isSafeInteger(n) && n > 0 ? { consumer, stream, seq: n } : undefined;
};

/** The message a dead letter stands for, as its stream holds it; a re-driven copy's original. */
export const originalMessage = async (
  conn: Connection,
  stream: string,
  seq: number,
): Promise<(Original & { payload: string }) | undefined> => {
  const stored = await conn.jsm.streams.getMessage(stream, { seq }).catch(() => null);
  if (stored === null) return undefined;
  // Only the console writes re-drives (rdv.>): its headers say where the copy came from.
  if (stream === Streams.redrive && stored.header?.has(ORIGINAL_STREAM)) {
    return originalMessage(conn, stored.header.get(ORIGINAL_STREAM), Number(stored.header.get(ORIGINAL_SEQ)));
  }
  return {
    stream,
    seq,
    subject: stored.subject,
    recordedAtMs: stored.time.getTime(),
    payload: stored.string(),
  };
};

/** The consumer's owner, from its name `<owner>-<service>` with one of Tongbao's services. */
const ownerOf = (consumer: string): string | undefined => {
  const service = Object.values(ConsumerServices)
    .sort((a, b) => b.length - a.length)
    .find((s) => consumer.endsWith(`-${s}`));
  return service === undefined ? undefined : consumer.slice(0, -service.length - 1);
};

/**
 * A directed message goes back only to its target's consumers (or the metro's): the owner a
 * Tongbao service name says, or for another subscriber's name, its `<city>-` prefix. The subscriber
 * checks the audience again on delivery.
 */
const mayReceive = (consumer: string, subject: string): boolean => {
  if (!subject.startsWith("dm.")) return true;
  const target = subject.split(".")[1];
  const owner = ownerOf(consumer);
  if (owner !== undefined) return owner === METRO_ORIGIN || owner === target;
  return consumer.startsWith(`${target}-`) || consumer.startsWith(`${METRO_ORIGIN}-`);
};

/**
 * Sends a dead letter's message back to its consumer, once: the re-drive subject must still be
 * empty (expected last subject sequence 0). False when it was re-driven before or has no payload.
 */
export const redriveOne = async (conn: Connection, letter: DeadLetter): Promise<boolean> => {
  const original = await originalMessage(conn, letter.stream, letter.seq);
  if (original === undefined || !mayReceive(letter.consumer, original.subject)) return false;
  const subject = redriveSubject(letter.consumer, letter.stream, letter.seq);
  const h = natsHeaders();
  h.set(ORIGINAL_STREAM, original.stream);
  h.set(ORIGINAL_SEQ, String(original.seq));
  h.set(ORIGINAL_SUBJECT, original.subject);
  if (original.recordedAtMs !== undefined) h.set(ORIGINAL_RECORDED_AT, String(original.recordedAtMs));
  try {
    // The copy goes when its original does (a directed message's personal data), by the stream's
    // clock for the original, not by what the letter says.
    const expiresAt = await expiryOf(conn, original.stream, original.recordedAtMs ?? Date.now());
    const ack = await untilDeadline(`re-drive ${subject}`, 30_000, (timeout) =>
      conn.js.publish(subject, original.payload, {
        timeout,
        headers: h,
        msgID: subject,
        expect: { lastSubjectSequence: 0 },
        ...(expiresAt !== null && { ttl: ttlUntil(expiresAt) }),
      }),
    );
    return !ack.duplicate;
  } catch (error) {
    if (error instanceof ConcurrencyConflictError) return false;
    throw error;
  }
};

/** When the dead letter was re-driven, or undefined when it was not (or the marker expired). */
export const redrivenAt = async (conn: Connection, letter: DeadLetter): Promise<string | undefined> => {
  const copy = await conn.jsm.direct.getMessage(Streams.redrive, {
    last_by_subj: redriveSubject(letter.consumer, letter.stream, letter.seq),
  });
  return copy === null ? undefined : copy.time.toISOString();
};

/**
 * The stream the original of a delivered message was stored in, and when: the message itself, or for
 * a re-driven copy the original it was made from.
 */
export const originalPlaceOf = (m: {
  readonly info: { readonly stream: string; readonly timestampNanos: number };
  readonly headers?: MsgHdrs | undefined;
}): { stream: string; recordedAtMs: number } => {
  const recordedAtMs = Math.floor(m.info.timestampNanos / 1e6);
  if (m.info.stream !== Streams.redrive || !m.headers?.has(ORIGINAL_STREAM))
    return { stream: m.info.stream, recordedAtMs };
  const original = Number(m.headers.get(ORIGINAL_RECORDED_AT));
  return {
    stream: m.headers.get(ORIGINAL_STREAM),
    recordedAtMs: Number.isFinite(original) && original > 0 ? original : recordedAtMs,
  };
};

/** What the handler of a re-driven message is told: the original stream position and time. */
export const originalDelivery = (m: JsMsg): { seq: number; subject: string; recordedAt: Date } => {
  const recordedAt = Math.floor(m.info.timestampNanos / 1e6);
  if (m.info.stream !== Streams.redrive || !m.headers?.has(ORIGINAL_SEQ))
    return { seq: m.seq, subject: m.subject, recordedAt: new Date(recordedAt) };
  const original = Number(m.headers.get(ORIGINAL_RECORDED_AT));
  return {
    seq: Number(m.headers.get(ORIGINAL_SEQ)),
    subject: m.headers.get(ORIGINAL_SUBJECT),
    recordedAt: new Date(Number.isFinite(original) && original > 0 ? original : recordedAt),
  };
};
