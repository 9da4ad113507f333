import type { ConsumerInfo } from "@nats-io/jetstream";
import { isToken } from "@tongbao/events";
import type { Connection } from "./connect.ts";
import { NotFoundError } from "./errors.ts";
import { isNotFound, toBusError } from "./nats-errors.ts";
import { Consumers, Streams } from "./topology/names.ts";

// A city's receiver under maintenance: its subscription's durable consumers are paused on the server
// (nats-server 2.11+), so nothing is delivered, retried or dead-lettered meanwhile, and everything
// waits in order until the pause ends (at the given time, or when resumed). A pause is the server's
// state: it holds across restarts of the subscriber and of the server.

/** The longest pause one command sets: a forgotten pause must end on its own. */
export const MAX_PAUSE_MS = 7 * 24 * 3_600_000;

export interface PauseTarget {
  /** The subscribing city, and the service whose consumers pause (e.g. relay, relay-direct). */
  readonly city: string;
  readonly service: string;
}

export interface ConsumerPause {
  readonly stream: string;
  readonly consumer: string;
  /** Until when it delivers nothing; undefined when it delivers. */
  readonly pausedUntil: Date | undefined;
}

/** The durable consumers of a subscription, on whichever stream it reads, and its re-drives. */
export const consumersOf = (conn: Connection, { city, service }: PauseTarget) => {
  if (!isToken(city) || !isToken(service)) {
    throw new TypeError("city and service must be tokens: A-Z, a-z, 0-9, '_', '-'");
  }
  const name = Consumers.of(city, service);
  return [
    { stream: conn.streams.events, consumer: name },
    { stream: conn.streams.direct, consumer: name },
    { stream: Streams.redrive, consumer: Consumers.redriveOf(name) },
  ];
};

export const pausedUntilOf = (config: { pause_until?: string }, now = Date.now()) => {
  const until = config.pause_until === undefined ? undefined : new Date(config.pause_until);
  return until !== undefined && until.getTime() > now ? until : undefined;
};

/**
 * Applies `change` to each of the subscription's consumers that exists, then describes it from its
 * info; none existing is NotFound.
 */
export const eachConsumer = async <T>(
  conn: Connection,
  target: PauseTarget,
  change: (stream: string, consumer: string) => Promise<unknown>,
  describe: (stream: string, info: ConsumerInfo) => Promise<T>,
): Promise<T[]> => {
  const found: T[] = [];
  for (const { stream, consumer } of consumersOf(conn, target)) {
    try {
      await change(stream, consumer);
      found.push(await describe(stream, await conn.jsm.consumers.info(stream, consumer)));
    } catch (error) {
      if (isNotFound(error)) continue;
      throw toBusError(error, `${stream}/${consumer}`);
    }
  }
  if (found.length === 0) {
    throw new NotFoundError(
      `${Consumers.of(target.city, target.service)} has no durable consumer: it never subscribed`,
    );
  }
  return found;
};

const pauseOf = async (stream: string, info: ConsumerInfo): Promise<ConsumerPause> => ({
  stream,
  consumer: info.name,
  pausedUntil: pausedUntilOf(info.config),
});

/** Pauses a subscription's deliveries until `until` (in the future, at most MAX_PAUSE_MS away). */
export const pauseDeliveries = (conn: Connection, target: PauseTarget, until: Date) => {
  const ms = until.getTime() - Date.now();
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError("a pause must end in the future");
  if (ms > MAX_PAUSE_MS) throw new RangeError("a pause may last at most 7 days; pause again to extend it");
  return eachConsumer(
    conn,
    target,
    (stream, consumer) => conn.jsm.consumers.pause(stream, consumer, until),
    pauseOf,
  );
};

/** Ends a pause now: what waited is delivered, in order. */
export const resumeDeliveries = (conn: Connection, target: PauseTarget) =>
  eachConsumer(conn, target, (stream, consumer) => conn.jsm.consumers.resume(stream, consumer), pauseOf);

/** Whether, and until when, a subscription's consumers are paused. */
export const deliveryPauses = (conn: Connection, target: PauseTarget) =>
  eachConsumer(conn, target, async () => undefined, pauseOf);
