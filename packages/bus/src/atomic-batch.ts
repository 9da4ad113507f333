import { JetStreamApiError } from "@nats-io/jetstream";
import { createInbox, type MsgHdrs, nuid } from "@nats-io/transport-node";
import type { Connection } from "./connect.ts";
import { BatchRefusal, BatchRefusedError } from "./errors.ts";

// JetStream's atomic batch publish (nats-server ≥ 2.12, stream `allow_atomic`): every message of a
// batch is stored, or none is, whatever fails. The client's `startBatch().commit()` (3.4.0) hides the
// server's reason for a refusal; this speaks the protocol itself so that the reason reaches the
// translator (a conflict is not a limit). It is also the cheapest durable write there is: under
// `sync_interval: always` a batch of 1,000 costs a few fsyncs where 1,000 publishes cost 1,000.

/** The most messages JetStream accepts in one atomic batch (not configurable). */
export const MAX_ATOMIC_BATCH = 1_000;

export interface BatchMessage {
  readonly subject: string;
  readonly payload: string | Uint8Array;
  /** Nats-Msg-Id: a batch holding an id the stream already has is refused as a whole. */
  readonly msgId?: string;
  /** Nats-Expected-Last-Subject-Sequence, over `expectedSubject` (a wildcard) when given. */
  readonly expectedLastSubjectSequence?: number;
  readonly expectedSubject?: string;
  /** Nats-TTL, e.g. "86400s". */
  readonly ttl?: string;
}

export interface BatchAck {
  readonly stream: string;
  /** The sequence of the batch's last message; the first is `lastSeq - count + 1`. */
  readonly lastSeq: number;
  readonly count: number;
}

const encoder = new TextEncoder();

/**
 * A batch message's headers, encoded once as NATS's wire form. The client's `headers()` builds a
 * map and validates and encodes it per message, which cost a rebuild more than the values it
 * writes; the client asks a message's headers only for `encode()`. The values are Tongbao's own
 * (ids, subjects, counts), never a city's text, so they hold no CR or LF.
 */
const headersOf = (message: BatchMessage, batchId: string, sequence: number, commit: boolean): MsgHdrs => {
  let text = `NATS/1.0\r\nNats-Batch-Id: ${batchId}\r\nNats-Batch-Sequence: ${sequence}\r\n`;
  if (commit) text += "Nats-Batch-Commit: 1\r\n";
  if (message.msgId !== undefined) text += `Nats-Msg-Id: ${message.msgId}\r\n`;
  if (message.expectedLastSubjectSequence !== undefined) {
    text += `Nats-Expected-Last-Subject-Sequence: ${message.expectedLastSubjectSequence}\r\n`;
    if (message.expectedSubject !== undefined)
      text += `Nats-Expected-Last-Subject-Sequence-Subject: ${message.expectedSubject}\r\n`;
  }
  if (message.ttl !== undefined) text += `Nats-TTL: ${message.ttl}\r\n`;
  const encoded = encoder.encode(`${text}\r\n`);
  return { encode: () => encoded } as unknown as MsgHdrs;
};

interface PubAckReply {
  readonly stream?: string;
  readonly seq?: number;
  readonly count?: number;
  readonly error?: { code: number; err_code: number; description: string };
}

const ackOf = (reply: PubAckReply): BatchAck => {
  if (reply.error !== undefined) throw new JetStreamApiError(reply.error);
  return { stream: reply.stream ?? "", lastSeq: reply.seq ?? 0, count: reply.count ?? 0 };
};

/**
 * Stores `messages` in one stream as one atomic batch and resolves with JetStream's ack. A refusal
 * throws the server's own error (a `JetStreamApiError` with its code), for the caller to translate;
 * a timeout or "no responders" throws the client's error (the batch may or may not be stored:
 * retrying with the same message ids tells, see publish-batch.ts).
 */
export const publishAtomic = async (
  conn: Connection,
  messages: readonly BatchMessage[],
  timeoutMs: number,
): Promise<BatchAck> => {
  if (messages.length === 0) throw new RangeError("an atomic batch needs at least one message");
  if (messages.length > MAX_ATOMIC_BATCH) {
    throw new BatchRefusedError(
      BatchRefusal.tooLarge,
      `an atomic batch holds at most ${MAX_ATOMIC_BATCH} messages`,
    );
  }
  const batchId = nuid.next();
  const last = messages.length - 1;
  // The first message asks for an answer: a stream that refuses the batch at once (no allow_atomic)
  // says so there, while the commit would only time out.
  const early = createInbox();
  let refusedEarly: PubAckReply | undefined;
  const sub = conn.nc.subscribe(early, {
    max: 1,
    callback: (_error, m) => {
      if (m.data.length > 0) refusedEarly = m.json<PubAckReply>();
    },
  });
  try {
    for (let i = 0; i < last; i++) {
      const message = messages[i] as BatchMessage;
      conn.nc.publish(message.subject, message.payload, {
        headers: headersOf(message, batchId, i + 1, false),
        ...(i === 0 && { reply: early }),
      });
    }
    const commit = messages[last] as BatchMessage;
    const reply = await conn.nc
      .request(commit.subject, commit.payload, {
        headers: headersOf(commit, batchId, last + 1, true),
        timeout: timeoutMs,
      })
      .catch((error: unknown) => {
        if (refusedEarly?.error !== undefined) return undefined;
        throw error;
      });
    if (reply === undefined) return ackOf(refusedEarly as PubAckReply);
    return ackOf(reply.json<PubAckReply>());
  } finally {
    sub.unsubscribe();
  }
};
