import { AckPolicy, type ConsumerConfig, DeliverPolicy, type JsMsg } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import {
  type ANY_AUDIENCE,
  decodeEvent,
  filterSubject,
  isToken,
  type SubjectFilter,
  type TongbaoEvent,
} from "@tongbao/events";
import type { Connection } from "./connect.ts";
import { DeadLetterReason, deadLetterOf, storeDeadLetter } from "./dead-letters.ts";
import { TopologyConflictError } from "./errors.ts";
import type { HandledLog } from "./handled.ts";
import { createKeyedQueue } from "./keyed-queue.ts";
import { originalDelivery, redriveFilter } from "./redrive.ts";
import { differencesOf } from "./topology/ensure.ts";
import { Consumers, Streams } from "./topology/names.ts";

export interface Delivery {
  readonly seq: number;
  readonly subject: string;
  /** 1 on the first delivery, then 2, 3 … up to maxAttempts. */
  readonly attempt: number;
  /** When JetStream stored the event (deadlines run from here, not from the event's own time). */
  readonly recordedAt: Date;
}

/** A handler's answer "not yet": the event comes back after the pause, not counted as a failure. */
export interface Later {
  readonly retryInMs: number;
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
  readonly handler: Handler;
  /** Handlers running at once (default 8); events of one aggregate always run in order. */
  readonly concurrency?: number;
  /** Deliveries awaiting an ack at once (default 8 × concurrency, at least 64); deferred ones count. */
  readonly maxAckPending?: number;
  /** Attempts before the event goes to DEADLETTER (default 5). */
  readonly maxAttempts?: number;
  /** Pause before each retry (default 1 s, 5 s, 15 s, 60 s; the last repeats). */
  readonly backoffMs?: readonly number[];
  /** How long a delivery may go unacknowledged; slow handlers send `working` heartbeats meanwhile. */
  readonly ackWaitMs?: number;
  /** Skip the city's own broadcasts (a relay does not notify a city of what it said itself). */
  readonly skipOwn?: boolean;
  /** Where a new consumer starts: the whole history (default) or only what comes from now on. */
  readonly from?: "beginning" | "now";
  /** Handle each event id once per consumer, across redeliveries and restarts (default true). */
  readonly deduplicate?: boolean;
  /** Told of each failed attempt, without the payload (it may hold personal data). */
  readonly onFailure?: (failure: { consumer: string; seq: number; attempt: number; error: unknown }) => void;
}

export interface Subscription {
  readonly consumer: string;
  /** Stops fetching, lets in-flight handlers finish and acknowledges them, then resolves. */
  stop(): Promise<void>;
}

const DEFAULT_BACKOFF = [1_000, 5_000, 15_000, 60_000] as const;
const FETCH_EXPIRES_MS = 1_000;

const consumerConfig = (
  name: string,
  filter: string,
  options: SubscribeOptions,
): Partial<ConsumerConfig> => ({
  durable_name: name,
  ack_policy: AckPolicy.Explicit,
  filter_subject: filter,
  deliver_policy: options.from === "now" ? DeliverPolicy.New : DeliverPolicy.All,
  max_deliver: options.maxAttempts ?? 5,
  ack_wait: nanos(options.ackWaitMs ?? 30_000),
  max_ack_pending: options.maxAckPending ?? Math.max(64, (options.concurrency ?? 8) * 8),
});

const ensureConsumer = async (conn: Connection, stream: string, config: Partial<ConsumerConfig>) => {
  const name = config.durable_name as string;
  const existing = await conn.jsm.consumers.info(stream, name).catch(() => null);
  if (existing === null) {
    await conn.jsm.consumers.add(stream, config);
    return;
  }
  const { durable_name: _, deliver_policy: __, ...settings } = config;
  const differences = differencesOf(
    `${stream}/${name}`,
    settings,
    existing.config as unknown as Record<string, unknown>,
  );
  if (differences.length > 0) throw new TopologyConflictError(differences);
};

export const subscribe = async (
  conn: Connection,
  handled: HandledLog,
  options: SubscribeOptions,
): Promise<Subscription> => {
  if (!isToken(options.service)) throw new TypeError("service must be a token: A-Z, a-z, 0-9, '_', '-'");
  const name = Consumers.of(options.city, options.service);
  const direct = options.stream === "direct";
  const stream = direct ? conn.streams.direct : conn.streams.events;
  const filter = filterSubject({
    ...options.filter,
    ...(direct ? { audience: options.audience ?? options.city } : {}),
  });
  await ensureConsumer(conn, stream, consumerConfig(name, filter, options));
  // Dead letters an operator re-drives come back through a second durable consumer, to the same
  // handler with the same de-duplication, retries and dead-lettering.
  await ensureConsumer(conn, Streams.redrive, {
    ...consumerConfig(Consumers.redriveOf(name), redriveFilter(name), options),
    deliver_policy: DeliverPolicy.All,
  });

  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF;
  const ackWait = options.ackWaitMs ?? 30_000;
  const deduplicate = options.deduplicate ?? true;
  const queue = createKeyedQueue(options.concurrency ?? 8);

  const fail = async (m: JsMsg, error: unknown, reason: DeadLetterReason) => {
    const attempt = m.info.deliveryCount;
    options.onFailure?.({ consumer: name, seq: m.seq, attempt, error });
    if (reason === DeadLetterReason.handlerFailed && attempt < maxAttempts) {
      m.nak(backoff[Math.min(attempt - 1, backoff.length - 1)]);
      return;
    }
    await storeDeadLetter(conn, deadLetterOf(m, name, reason, error));
    m.term(reason);
  };

  let stopping = false;
  // While stopping, wait for JetStream to confirm each ack, so that stop() resolves only once the
  // work it finished can no longer be redelivered.
  const ack = async (m: JsMsg) => {
    if (stopping) await m.ackAck();
    // An ack that cannot leave (the connection just closed) only means a redelivery later, which
    // the handled log or the receiver's de-duplication absorbs.
    else conn.atTurnEnd(() => m.ack()).catch(() => undefined);
  };

  const handle = async (m: JsMsg) => {
    let event: TongbaoEvent;
    try {
      event = decodeEvent(m.json());
    } catch (error) {
      return fail(m, error, DeadLetterReason.undecodable);
    }
    if (
      (options.skipOwn && event.origin === options.city) ||
      (deduplicate && (await handled.has(name, event.origin, event.id)))
    ) {
      return ack(m);
    }
    const heartbeat = setInterval(() => m.working(), Math.max(1_000, ackWait / 3));
    try {
      const later = await options.handler(event, { ...originalDelivery(m), attempt: m.info.deliveryCount });
      if (later) {
        // Deferred work is not a failure, but JetStream counts each redelivery against max_deliver:
        // a consumer that defers sets maxAttempts high enough for its deferrals.
        m.nak(Math.max(0, later.retryInMs));
        return;
      }
    } catch (error) {
      return fail(m, error, DeadLetterReason.handlerFailed);
    } finally {
      clearInterval(heartbeat);
    }
    if (deduplicate) await handled.mark(name, event.origin, event.id);
    return ack(m);
  };

  const consumers = [
    await conn.js.consumers.get(stream, name),
    await conn.js.consumers.get(Streams.redrive, Consumers.redriveOf(name)),
  ];
  const batchSize = Math.max(16, (options.concurrency ?? 8) * 2);
  // One bounded pull request at a time, each read to its end. A long-lived `consume()` would leave
  // messages on the wire to an inbox that stop() unsubscribes: JetStream would hold them back for
  // the whole ack wait before the next instance could have them. A fetch ends by itself within
  // `FETCH_EXPIRES_MS`, and what it brings after a stop is handed back at once.
  const pull = async (consumer: (typeof consumers)[number]) => {
    while (!stopping) {
      try {
        const batch = await consumer.fetch({ max_messages: batchSize, expires: FETCH_EXPIRES_MS });
        for await (const m of batch) {
          if (stopping) {
            m.nak();
            continue;
          }
          await queue.run(m.subject, () =>
            handle(m).catch((error: unknown) => {
              // The bus itself failed (e.g. the connection is down): let JetStream redeliver later.
              options.onFailure?.({ consumer: name, seq: m.seq, attempt: m.info.deliveryCount, error });
              m.nak(backoff[0]);
            }),
          );
        }
      } catch (error) {
        // No connection, or the server is restarting: try again shortly; JetStream keeps the work.
        options.onFailure?.({ consumer: name, seq: 0, attempt: 0, error });
        if (!stopping) await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  };
  const loops = Promise.all(consumers.map(pull));

  return {
    consumer: name,
    stop: async () => {
      stopping = true;
      await loops;
      await queue.idle();
    },
  };
};
