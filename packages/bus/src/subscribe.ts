import { DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import type { DecisionContext } from "@tongbao/domain";
import {
  type ANY_AUDIENCE,
  aggregateOfSubject,
  filterSubject,
  ImpersonationError,
  isToken,
  METRO_ORIGIN,
  type SubjectFilter,
  type TongbaoEvent,
} from "@tongbao/events";
import { attempt, type Later } from "./attempts.ts";
import type { Connection } from "./connect.ts";
import { DeadLetterReason, deadLetterOf, storeDeadLetter } from "./dead-letters.ts";
import { decodedEvent } from "./decoded.ts";
import { consumerConfigOf, ensureConsumer } from "./durable-consumer.ts";
import type { HandledLog } from "./handled.ts";
import { createKeyedQueue } from "./keyed-queue.ts";
import { startPinnedPull, type Takeover } from "./pinned-pull.ts";
import { refusalOnRead } from "./read-decisions.ts";
import { originalDelivery, redriveFilter } from "./redrive.ts";
import { refusalError } from "./refusals.ts";
import { createTakeoverLog } from "./takeovers.ts";
import { Consumers, Streams } from "./topology/names.ts";

export type { Later } from "./attempts.ts";
export type { Takeover } from "./pinned-pull.ts";

export interface Delivery {
  readonly seq: number;
  readonly subject: string;
  /**
   * 1 on the first attempt, then 2, 3 … up to maxAttempts. Retries happen within one delivery; a
   * redelivery (after a deferral or a restart) goes on from JetStream's count of deliveries.
   */
  readonly attempt: number;
  /** When JetStream stored the event (deadlines run from here, not from the event's own time). */
  readonly recordedAt: Date;
}

// biome-ignore lint/suspicious/noConfusingVoidType: a handler that returns nothing is the common case
export type Handler = (event: TongbaoEvent, delivery: Delivery) => Promise<void | Later>;

export interface SubscribeOptions {
  /** The subscribing city; with `service` it names the durable consumer `<city>-<service>`. */
  readonly city: string;
  readonly service: string;
  /** Broadcasts (EVENTS, the default) or the city's own directed messages (DIRECT). */
  readonly stream?: "events" | "direct";
  /** Narrow by origin, type or key. Directed subscriptions read only the city's own. */
  readonly filter?: Omit<SubjectFilter, "audience">;
  /**
   * Directed messages to every city (`*`) instead of only the subscribing city's: for metro
   * services such as the watchdog, whose NATS user may read them all.
   */
  readonly audience?: typeof ANY_AUDIENCE;
  /**
   * Retried in place until it succeeds, so an aggregate's later events wait behind a failing one.
   * Returning `Later` hands the event back to JetStream for the pause instead: the aggregate's later
   * events may then overtake it.
   */
  readonly handler: Handler;
  /** Handlers running at once (default 8); events of one aggregate always run in order. */
  readonly concurrency?: number;
  /** Deliveries awaiting an ack at once (default 8 × concurrency, at least 64); deferred ones count. */
  readonly maxAckPending?: number;
  /** Attempts before the event goes to DEADLETTER (default 5); also the server's deliveries limit. */
  readonly maxAttempts?: number;
  /** Pause before each retry (default 1 s, 5 s, 15 s, 60 s; the last repeats). */
  readonly backoffMs?: readonly number[];
  /** How long a delivery may go unacknowledged; slow handlers send `working` heartbeats meanwhile. */
  readonly ackWaitMs?: number;
  /**
   * One instance of a subscription delivers; another one (a standby, same city and service) takes
   * over once the active one has not pulled for this long (default 3 s, at least 2 s).
   */
  readonly takeoverAfterMs?: number;
  /** Skip the city's own broadcasts (a relay does not notify a city of what it said itself). */
  readonly skipOwn?: boolean;
  /** Where a new consumer starts: the whole history (default) or only what comes from now on. */
  readonly from?: "beginning" | "now";
  /** Handle each event id once per consumer, across redeliveries and restarts (default true). */
  readonly deduplicate?: boolean;
  /**
   * Broadcasts only: ask each event's decider again, against its aggregate as stored before it, and
   * dead-letter what it refuses (reason `refused`) instead of handing it over (read-decisions.ts).
   */
  readonly decideOnRead?: boolean;
  /** Told of each failed attempt, without the payload (it may hold personal data). */
  readonly onFailure?: (failure: { consumer: string; seq: number; attempt: number; error: unknown }) => void;
  /** Told when this instance became the active one and found deliveries another left behind. */
  readonly onTakeover?: (takeover: Takeover) => void;
}

export interface Subscription {
  readonly consumer: string;
  /** True while this instance delivers (holds the consumer's pin); false while it stands by. */
  active(): boolean;
  /**
   * Stops fetching, hands back what waits (a retry's backoff included), lets running handlers finish
   * and acknowledges them, gives the consumer over to a standby, then resolves.
   */
  stop(): Promise<void>;
}

const DEFAULT_BACKOFF = [1_000, 5_000, 15_000, 60_000] as const;
const DEFAULT_TAKEOVER_MS = 3_000;
/** Pull requests end within this; the client's shortest. It must stay below the takeover time. */
const PULL_EXPIRES_MS = 1_000;

export const subscribe = async (
  conn: Connection,
  handled: HandledLog,
  options: SubscribeOptions,
  context: DecisionContext = {},
): Promise<Subscription> => {
  if (!isToken(options.service)) throw new TypeError("service must be a token: A-Z, a-z, 0-9, '_', '-'");
  const takeoverAfterMs = options.takeoverAfterMs ?? DEFAULT_TAKEOVER_MS;
  if (!(takeoverAfterMs >= 2 * PULL_EXPIRES_MS)) {
    throw new RangeError(`takeoverAfterMs must be at least ${2 * PULL_EXPIRES_MS} ms`);
  }
  const name = Consumers.of(options.city, options.service);
  const direct = options.stream === "direct";
  const stream = direct ? conn.streams.direct : conn.streams.events;
  if (options.decideOnRead === true && direct)
    throw new TypeError(
      "decideOnRead is for broadcasts: a directed message's aggregate is not the receiver's to read",
    );
  const filter = filterSubject({
    ...options.filter,
    ...(direct ? { audience: options.audience ?? options.city } : {}),
  });
  const maxAttempts = options.maxAttempts ?? 5;
  const backoffMs = options.backoffMs ?? DEFAULT_BACKOFF;
  const ackWait = options.ackWaitMs ?? 30_000;
  const concurrency = options.concurrency ?? 8;
  const settings = {
    from: options.from ?? "beginning",
    maxDeliver: maxAttempts,
    ackWaitMs: ackWait,
    maxAckPending: options.maxAckPending ?? Math.max(64, concurrency * 8),
    takeoverAfterMs,
  } as const;
  await ensureConsumer(conn, stream, consumerConfigOf({ ...settings, name, filter }));
  // Dead letters an operator re-drives come back through a second durable consumer, to the same
  // handler with the same de-duplication, retries and dead-lettering.
  await ensureConsumer(conn, Streams.redrive, {
    ...consumerConfigOf({
      ...settings,
      name: Consumers.redriveOf(name),
      filter: redriveFilter(name),
      from: "beginning",
    }),
    deliver_policy: DeliverPolicy.All,
  });

  const deduplicate = options.deduplicate ?? true;
  const decideOnRead = options.decideOnRead === true;
  const queue = createKeyedQueue(concurrency);
  const stopped = new AbortController();
  const failed = (seq: number, attempt: number, error: unknown) =>
    options.onFailure?.({ consumer: name, seq, attempt, error });

  const deadLetter = async (m: JsMsg, reason: DeadLetterReason, error: unknown, attempts: number) => {
    await storeDeadLetter(conn, { ...deadLetterOf(m, name, reason, error), attempts });
    m.term(reason);
  };

  // While stopping, wait for JetStream to confirm each ack, so that stop() resolves only once the
  // work it finished can no longer be redelivered.
  const ack = async (m: JsMsg) => {
    if (stopped.signal.aborted) await m.ackAck();
    // An ack that cannot leave (the connection just closed) only means a redelivery later, which
    // the handled log or the receiver's de-duplication absorbs.
    else conn.atTurnEnd(() => m.ack()).catch(() => undefined);
  };

  const handle = async (m: JsMsg) => {
    let event: TongbaoEvent;
    const delivery = originalDelivery(m);
    try {
      // A re-driven copy is judged by the subject its original was stored under.
      event = decodedEvent(m, delivery.subject);
    } catch (error) {
      failed(m.seq, 1, error);
      const reason =
        error instanceof ImpersonationError ? DeadLetterReason.impersonation : DeadLetterReason.undecodable;
      return deadLetter(m, reason, error, 1);
    }
    // A directed message is its target's alone: a re-driven copy comes past the stream's filter.
    if (event.audience !== undefined && options.city !== METRO_ORIGIN && event.audience !== options.city) {
      const error = new ImpersonationError([
        {
          path: "audience",
          message: `is ${event.audience}: the message is not ${options.city}'s to receive`,
        },
      ]);
      failed(m.seq, 1, error);
      return deadLetter(m, DeadLetterReason.impersonation, error, 1);
    }
    if (
      (options.skipOwn && event.origin === options.city) ||
      (deduplicate && (await handled.has(name, event.origin, event.id)))
    ) {
      return ack(m);
    }
    if (decideOnRead) {
      const refusal = await refusalOnRead(conn, context, event, { stream, seq: delivery.seq });
      if (refusal !== undefined) {
        const error = refusalError(refusal, "refused on read: ");
        failed(m.seq, 1, error);
        return deadLetter(m, DeadLetterReason.refused, error, 1);
      }
    }
    const heartbeat = setInterval(() => m.working(), Math.max(1_000, ackWait / 3));
    const outcome = await attempt(
      async (n) => (await options.handler(event, { ...delivery, attempt: n })) || undefined,
      {
        firstAttempt: m.info.deliveryCount,
        maxAttempts,
        backoffMs,
        stopped: stopped.signal,
        onFailure: (n, error) => failed(m.seq, n, error),
      },
    ).finally(() => clearInterval(heartbeat));
    switch (outcome.kind) {
      case "done":
        if (deduplicate) await handled.mark(name, event.origin, event.id);
        return ack(m);
      case "later":
        // JetStream counts each redelivery against max_deliver: a consumer that defers sets
        // maxAttempts high enough for its deferrals.
        return m.nak(outcome.retryInMs);
      case "handedBack":
        return m.nak();
      case "failed":
        return deadLetter(m, DeadLetterReason.handlerFailed, outcome.error, outcome.attempts);
      default:
        return outcome satisfies never;
    }
  };

  const deliver = (m: JsMsg, current: () => boolean) =>
    queue.push(aggregateOfSubject(originalDelivery(m).subject), async () => {
      if (stopped.signal.aborted) return m.nak();
      // Received before this instance lost the pin: the instance that has it now delivers it.
      if (!current()) return;
      await handle(m).catch((error: unknown) => {
        // The bus itself failed (e.g. the connection is down): let JetStream redeliver later.
        failed(m.seq, 0, error);
        m.nak(backoffMs[0]);
      });
    });

  const takeovers = createTakeoverLog(conn);
  const pulls = [
    { stream, consumer: name },
    { stream: Streams.redrive, consumer: Consumers.redriveOf(name) },
  ].map((target) =>
    startPinnedPull({
      conn,
      ...target,
      batch: Math.max(16, concurrency * 2),
      expiresMs: PULL_EXPIRES_MS,
      takeovers,
      maxResetsAtOneFloor: maxAttempts,
      deliver,
      onError: (error) => failed(0, 0, error),
      ...(options.onTakeover && { onTakeover: options.onTakeover }),
    }),
  );

  return {
    consumer: name,
    active: () => pulls[0]?.active() === true,
    stop: async () => {
      stopped.abort();
      await Promise.all(pulls.map((pull) => pull.stop()));
      await queue.idle();
      await Promise.all(pulls.map((pull) => pull.release()));
    },
  };
};
