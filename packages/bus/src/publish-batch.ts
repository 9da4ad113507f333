import { type AnyDecider, type DecisionContext, deciderFor, deciders } from "@tongbao/domain";
import {
  type EventInput,
  EventValidationError,
  prepareEvent,
  subjectOfValidEvent,
  type TongbaoEvent,
  type ValidationIssue,
} from "@tongbao/events";
import { type AggregateExpectation, type AggregateHistory, placeOf, readAggregate } from "./aggregates.ts";
import { type BatchMessage, MAX_ATOMIC_BATCH, publishAtomic } from "./atomic-batch.ts";
import type { Connection } from "./connect.ts";
import { messagesOn } from "./direct-reads.ts";
import { BatchRefusal, BatchRefusedError, ConcurrencyConflictError } from "./errors.ts";
import { JetStreamCode, jetStreamCodeOf, toBusError } from "./nats-errors.ts";
import {
  DECISION_ROUNDS,
  decide,
  messageIdOf,
  type Published,
  pauseBeforeRound,
  storedCopyOf,
} from "./publish.ts";
import { untilDeadline } from "./retry.ts";

// A batch is stored whole or not at all (JetStream's atomic batch publish): every event is
// validated and decided before any leaves, and the server commits them as one.

export interface BatchOptions {
  /** Keep retrying timeouts and leader elections, with the same message ids, this long (default 30 s). */
  readonly deadlineMs?: number;
}

const at = (index: number, path: string) => (path === "" ? `[${index}]` : `[${index}].${path}`);

/** Every event valid and its id used once in the batch, or one error naming every offence. */
const prepareAll = (inputs: readonly EventInput[]): TongbaoEvent[] => {
  const events: TongbaoEvent[] = [];
  const issues: ValidationIssue[] = [];
  const firstOf = new Map<string, number>();
  inputs.forEach((input, index) => {
    try {
      const event = prepareEvent(input);
      const key = messageIdOf(event);
      const first = firstOf.get(key);
      if (first !== undefined)
        issues.push({ path: at(index, "id"), message: `repeats the id of event [${first}]` });
      firstOf.set(key, index);
      events.push(event);
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      issues.push(...error.issues.map((issue) => ({ ...issue, path: at(index, issue.path) })));
    }
  });
  if (issues.length > 0) throw new EventValidationError(issues);
  return events;
};

const checkOneStream = (events: readonly TongbaoEvent[]) => {
  const directed = events.findIndex((e) => e.audience !== undefined);
  const broadcast = events.findIndex((e) => e.audience === undefined);
  if (directed >= 0 && broadcast >= 0) {
    throw new BatchRefusedError(
      BatchRefusal.mixedStreams,
      `event [${directed}] is a directed message and event [${broadcast}] a broadcast: they are stored in different streams, so send them in separate batches`,
    );
  }
};

interface Aggregate {
  readonly decider: AnyDecider;
  /** The first event of the batch that acts on it: what the aggregate is read for. */
  readonly event: TongbaoEvent;
}

/** Events decided from the same reads share a history; a decider that reads few subjects, per reads. */
const aggregateKey = (decider: AnyDecider, event: TongbaoEvent) =>
  `${decider.aggregate}/${event.subject}${decider.reads === undefined ? "" : `/${decider.reads(event).join(",")}`}`;

/**
 * Decides every event in batch order against its aggregate as it would be once the earlier ones are
 * stored, and says which message carries each aggregate's expectation (its first).
 */
const decideAll = async (
  conn: Connection,
  events: readonly TongbaoEvent[],
  context: DecisionContext,
  deadlineMs: number,
) => {
  const aggregates = new Map<string, Aggregate>();
  const aggregateOf = events.map((event) => {
    const decider = deciderFor(deciders, event.type);
    if (decider === undefined) return undefined;
    const key = aggregateKey(decider, event);
    if (!aggregates.has(key)) aggregates.set(key, { decider, event });
    return key;
  });
  const histories = new Map<string, AggregateHistory>();
  await Promise.all(
    [...aggregates].map(async ([key, a]) =>
      histories.set(key, await readAggregate(conn, a.decider, a.event, deadlineMs)),
    ),
  );
  const sofar = new Map([...histories].map(([key, h]) => [key, h.events.map((s) => s.event)]));
  const stored = events.map((event, index) => {
    const key = aggregateOf[index];
    if (key === undefined) return undefined;
    const history = histories.get(key) as AggregateHistory;
    const copy = storedCopyOf(history, event);
    if (copy !== undefined) return copy;
    const before = sofar.get(key) as TongbaoEvent[];
    decide((aggregates.get(key) as Aggregate).decider, before, event, context, `event [${index}]: `);
    before.push(event);
    return undefined;
  });
  const expectations = new Map<number, AggregateExpectation>();
  for (const [key, history] of histories) {
    if (history.expectation !== undefined) expectations.set(aggregateOf.indexOf(key), history.expectation);
  }
  return { stored, expectations };
};

/** The copies of the batch's events that JetStream already holds, found on their own subjects. */
const copiesOf = async (conn: Connection, stream: string, events: readonly TongbaoEvent[]) => {
  const since = new Date(Date.now() - 10 * 60_000);
  return Promise.all(
    events.map(async (event) => {
      const copies = await messagesOn(conn, stream, subjectOfValidEvent(event), { since });
      return copies.find((m) => m.json<{ id?: unknown }>().id === event.id);
    }),
  );
};

const publishedOf = (event: TongbaoEvent, stream: string, seq: number, duplicate: boolean): Published => ({
  id: event.id,
  subject: subjectOfValidEvent(event),
  stream,
  seq,
  duplicate,
});

/**
 * Stores the events as one atomic batch: all of them, or none. Resolves with each event's place in
 * the stream, in order. A batch JetStream already stored (a retry after a lost answer) answers
 * `duplicate: true` for each; one that repeats only some stored events is refused.
 */
export const publishBatch = async (
  conn: Connection,
  context: DecisionContext,
  inputs: readonly EventInput[],
  options: BatchOptions = {},
): Promise<Published[]> => {
  if (inputs.length === 0) return [];
  if (inputs.length > MAX_ATOMIC_BATCH) {
    throw new BatchRefusedError(BatchRefusal.tooLarge, `a batch holds at most ${MAX_ATOMIC_BATCH} events`);
  }
  const events = prepareAll(inputs);
  checkOneStream(events);
  const stream = placeOf(conn, events[0]?.audience !== undefined).write;
  for (let round = 1; ; round++) {
    const { stored, expectations } = await decideAll(conn, events, context, options.deadlineMs ?? 30_000);
    if (stored.every((copy) => copy !== undefined)) {
      return events.map((event, i) => publishedOf(event, stream, stored[i]?.seq ?? 0, true));
    }
    const messages: BatchMessage[] = events.map((event, index) => {
      const expected = expectations.get(index);
      return {
        subject: subjectOfValidEvent(event),
        payload: JSON.stringify(event),
        msgId: messageIdOf(event),
        ...(expected && { expectedLastSubjectSequence: expected.seq, expectedSubject: expected.subject }),
      };
    });
    try {
      const ack = await untilDeadline(`batch of ${events.length}`, options.deadlineMs ?? 30_000, (timeout) =>
        publishAtomic(conn, messages, timeout),
      );
      const first = ack.lastSeq - ack.count + 1;
      return events.map((event, i) => publishedOf(event, ack.stream, first + i, false));
    } catch (error) {
      if (jetStreamCodeOf(error) === JetStreamCode.atomicBatchDuplicateMsgId) {
        return alreadyStored(conn, stream, events, error);
      }
      const mapped = toBusError(error, `batch of ${events.length}`);
      if (!(mapped instanceof ConcurrencyConflictError) || round >= DECISION_ROUNDS) throw mapped;
      await pauseBeforeRound(round);
    }
  }
};

/** The batch holds ids JetStream has: all of them (a retry: answered as stored), or some (refused). */
const alreadyStored = async (
  conn: Connection,
  stream: string,
  events: readonly TongbaoEvent[],
  cause: unknown,
): Promise<Published[]> => {
  const copies = await copiesOf(conn, stream, events);
  if (copies.every((copy) => copy !== undefined)) {
    return events.map((event, i) => publishedOf(event, stream, copies[i]?.seq ?? 0, true));
  }
  const before = copies.flatMap((copy, i) => (copy === undefined ? [] : [`[${i}]`]));
  throw new BatchRefusedError(
    BatchRefusal.storedBefore,
    before.length > 0
      ? `events ${before.join(", ")} were stored before, by another batch: send the batch again without them`
      : "the batch repeats an event id stored before: send each event once",
    { cause },
  );
};
