import { type EventInput, prepareEvent, subjectOfValidEvent, type TongbaoEvent } from "@tongbao/events";
import type { CaseLedger } from "./case-ledger.ts";
import type { Connection } from "./connect.ts";
import { untilDeadline } from "./retry.ts";

export interface PublishOptions {
  /** Keep retrying timeouts and leader elections, with the same message id, this long (default 30 s). */
  readonly deadlineMs?: number;
  /** Optimistic concurrency on the event's own subject: the sequence of its last event there (0: none). */
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

const isCaseEvent = (event: TongbaoEvent) => event.type.startsWith("case.");

export const createPublisher = (conn: Connection, cases: CaseLedger) => {
  /** Stores an already validated event; resolves only once JetStream has acknowledged it. */
  const store = async (event: TongbaoEvent, options: PublishOptions = {}): Promise<Published> => {
    const subject = subjectOfValidEvent(event);
    const payload = JSON.stringify(event);
    const expect =
      options.expectedLastSubjectSequence === undefined
        ? undefined
        : { lastSubjectSequence: options.expectedLastSubjectSequence };
    const ack = await untilDeadline(
      `publish ${event.type} ${event.id}`,
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

  /** Validates, fills defaults, enforces case ownership, and stores. */
  const publish = async (input: EventInput, options: PublishOptions = {}): Promise<Published> => {
    const event = prepareEvent(input);
    if (isCaseEvent(event)) await cases.reserve(event, subjectOfValidEvent(event));
    return store(event, options);
  };

  return { publish, store };
};

export type BatchOutcome =
  | { readonly ok: true; readonly published: Published }
  | { readonly ok: false; readonly error: unknown };

export interface BatchOptions extends PublishOptions {
  /** How many publishes may await their acknowledgement at once (default 256). */
  readonly window?: number;
}

/**
 * Publishes many events with a bounded number in flight. Outcomes come back in input order; one bad
 * event does not stop the others, and each outcome says what happened to its event.
 */
export const publishBatch = async (
  publish: (input: EventInput, options?: PublishOptions) => Promise<Published>,
  inputs: Iterable<EventInput>,
  options: BatchOptions = {},
): Promise<BatchOutcome[]> => {
  const window = Math.max(1, options.window ?? 256);
  const outcomes: BatchOutcome[] = [];
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const settle = (at: number, outcome: BatchOutcome) => {
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
