import {
  type AnyDecider,
  type DecisionContext,
  decideOn,
  deciderFor,
  deciders,
  foldAggregate,
} from "@tongbao/domain";
import { type EventInput, prepareEvent, subjectOfValidEvent, type TongbaoEvent } from "@tongbao/events";
import { type AggregateExpectation, type AggregateHistory, readAggregate } from "./aggregates.ts";
import type { Connection } from "./connect.ts";
import { ConcurrencyConflictError } from "./errors.ts";
import { refusalError } from "./refusals.ts";
import { untilDeadline } from "./retry.ts";

export interface PublishOptions {
  /** Keep retrying timeouts and leader elections, with the same message id, this long (default 30 s). */
  readonly deadlineMs?: number;
  /**
   * Optimistic concurrency on the event's own subject: the sequence of its last event there (0: none).
   * Not for an aggregate whose decider reads its whole history: those are checked against the aggregate.
   */
  readonly expectedLastSubjectSequence?: number;
}

export interface Published {
  readonly id: string;
  readonly subject: string;
  readonly stream: string;
  readonly seq: number;
  /** True when JetStream already had this event id: it was stored once, earlier. */
  readonly duplicate: boolean;
}

/**
 * The JetStream de-duplication id. Prefixed with the origin so that two cities can never collide: a
 * collision would make JetStream drop the second city's event (and, in leaf mode, stall its source).
 */
export const messageIdOf = (event: Pick<TongbaoEvent, "origin" | "id">): string =>
  `${event.origin}:${event.id}`;

/** Another append may land between reading an aggregate and appending to it; decide again. */
export const DECISION_ROUNDS = 10;

/** Before deciding again: a short pause that grows and varies, so that racing writers fall apart. */
export const pauseBeforeRound = (round: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * round));

/** The stored copy of an event in its aggregate's history: a retry of an append already made. */
export const storedCopyOf = (history: AggregateHistory, event: TongbaoEvent) =>
  history.events.find((stored) => stored.event.id === event.id && stored.event.origin === event.origin);

/** The event's decider, if its type acts on an aggregate with rules, and the refusal as an error. */
export const decide = (
  decider: AnyDecider,
  history: readonly TongbaoEvent[],
  event: TongbaoEvent,
  context: DecisionContext,
  prefix = "",
) => {
  const decision = decideOn(decider, foldAggregate(decider, history, context), event, context);
  if (!decision.accepted) throw refusalError(decision.refusal, prefix);
};

export const createPublisher = (conn: Connection, context: DecisionContext) => {
  /** Stores an already validated event; resolves only once JetStream has acknowledged it. */
  const store = async (
    event: TongbaoEvent,
    options: PublishOptions,
    aggregate?: AggregateExpectation,
  ): Promise<Published> => {
    const subject = subjectOfValidEvent(event);
    const payload = JSON.stringify(event);
    const expect =
      aggregate !== undefined
        ? { lastSubjectSequence: aggregate.seq, lastSubjectSequenceSubject: aggregate.subject }
        : options.expectedLastSubjectSequence === undefined
          ? undefined
          : { lastSubjectSequence: options.expectedLastSubjectSequence };
    const ack = await untilDeadline(
      () => `publish ${event.type} ${event.id}`,
      options.deadlineMs ?? 30_000,
      (timeout) =>
        conn.atTurnEnd(() =>
          conn.js.publish(subject, payload, {
            msgID: messageIdOf(event),
            timeout,
            ...(expect && { expect }),
          }),
        ),
    );
    return { id: event.id, subject, stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
  };

  /** Reads the aggregate, lets its decider decide, and appends expecting nothing came in between. */
  const append = async (decider: AnyDecider, event: TongbaoEvent, options: PublishOptions) => {
    for (let round = 1; ; round++) {
      const history = await readAggregate(conn, decider, event, options.deadlineMs ?? 30_000);
      const copy = storedCopyOf(history, event);
      if (copy !== undefined) {
        const subject = subjectOfValidEvent(event);
        return { id: event.id, subject, stream: copy.stream, seq: copy.seq, duplicate: true };
      }
      decide(
        decider,
        history.events.map((stored) => stored.event),
        event,
        context,
      );
      try {
        return await store(event, options, history.expectation);
      } catch (error) {
        if (!(error instanceof ConcurrencyConflictError) || round >= DECISION_ROUNDS) throw error;
        await pauseBeforeRound(round);
      }
    }
  };

  /** Validates, fills defaults, asks the aggregate's decider, and stores. */
  const publish = async (input: EventInput, options: PublishOptions = {}): Promise<Published> => {
    const event = prepareEvent(input);
    const decider = deciderFor(deciders, event.type);
    if (decider === undefined) return store(event, options);
    // A decider that reads only a few subjects sets no expectation of its own: the caller may.
    if (options.expectedLastSubjectSequence !== undefined && decider.reads === undefined) {
      throw new TypeError(
        `${event.type} is checked against its ${decider.aggregate}: expectedLastSubjectSequence is for events without an aggregate`,
      );
    }
    return append(decider, event, options);
  };

  return { publish, store };
};

export type Publisher = ReturnType<typeof createPublisher>;

export type PublishOutcome =
  | { readonly ok: true; readonly published: Published }
  | { readonly ok: false; readonly error: unknown };

export interface ManyOptions extends PublishOptions {
  /** How many publishes may await their acknowledgement at once (default 256). */
  readonly window?: number;
}

/**
 * Publishes many events one by one, a bounded number in flight: for loading a long history, where
 * all-or-nothing is not wanted (that is publishBatch). Outcomes come back in input order; one bad
 * event does not stop the others.
 */
export const publishMany = async (
  publish: (input: EventInput, options?: PublishOptions) => Promise<Published>,
  inputs: Iterable<EventInput>,
  options: ManyOptions = {},
): Promise<PublishOutcome[]> => {
  const window = Math.max(1, options.window ?? 256);
  const outcomes: PublishOutcome[] = [];
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const settle = (at: number, outcome: PublishOutcome) => {
    outcomes[at] = outcome;
    inFlight -= 1;
    slotFreed?.();
  };
  let index = 0;
  for (const input of inputs) {
    const at = index++;
    inFlight += 1;
    publish(input, options).then(
      (published) => settle(at, { ok: true, published }),
      (error: unknown) => settle(at, { ok: false, error }),
    );
    while (inFlight >= window) await new Promise<void>((resolve) => (slotFreed = resolve));
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (slotFreed = resolve));
  return outcomes;
};
