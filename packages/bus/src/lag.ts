import type { ConsumerInfo, MsgRequest } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";
import { NotFoundError } from "./errors.ts";
import { isNoMessage, isNotFound, isPermissionDenied } from "./nats-errors.ts";
import { eachConsumer, type PauseTarget, pausedUntilOf } from "./pause.ts";
import { ConsumerServices } from "./topology/names.ts";

// How far a subscriber (a city's relay) is behind, from the server's own bookkeeping: what its
// durable consumers have not yet had acknowledged, and since when the oldest of it has waited.
// Read on demand (a CLI call, a metrics scrape, the watchdog when a city is late), never per notice.

export interface ConsumerLag {
  readonly stream: string;
  readonly consumer: string;
  /** Messages not yet acknowledged: not yet delivered, or delivered and awaiting the receiver. */
  readonly waiting: number;
  /**
   * When the oldest of them was stored; undefined when nothing waits, or when this user may not read
   * the stream by position (a city on DIRECT, where another city's messages would be readable).
   */
  readonly oldestWaitingSince: Date | undefined;
  /** Whether the age is known: false only where the user may not read it. */
  readonly ageKnown: boolean;
  readonly pausedUntil: Date | undefined;
}

/** A subscription's lag summed over its consumers. */
export interface Lag {
  readonly waiting: number;
  readonly oldestWaitingSince: Date | undefined;
  /** False when the age of some waiting consumer could not be read. */
  readonly ageKnown: boolean;
  /** Until when it is paused (for maintenance), when any of its consumers is. */
  readonly pausedUntil: Date | undefined;
}

const filtersOf = (info: ConsumerInfo): string[] => {
  const { filter_subject: one, filter_subjects: many } = info.config;
  if (many !== undefined && many.length > 0) return many;
  return [one === undefined || one === "" ? ">" : one];
};

/**
 * The first message above the ack floor that the consumer's filter takes: everything at or below
 * the floor is acknowledged, so it is the oldest waiting one. The stream API answers from the
 * leader, where a replica's floor may lag.
 */
const oldestWaiting = async (
  conn: Connection,
  stream: string,
  info: ConsumerInfo,
): Promise<{ since: Date | undefined; known: boolean }> => {
  let oldest: { seq: number; time: Date } | undefined;
  for (const filter of filtersOf(info)) {
    try {
      const next = await conn.jsm.streams.getMessage(stream, {
        seq: info.ack_floor.stream_seq + 1,
        next_by_subj: filter,
      } as unknown as MsgRequest);
      if (next !== null && (oldest === undefined || next.seq < oldest.seq))
        oldest = { seq: next.seq, time: next.time };
    } catch (error) {
      if (isPermissionDenied(error)) return { since: undefined, known: false };
      if (!isNoMessage(error) && !isNotFound(error)) throw error;
    }
  }
  return { since: oldest?.time, known: true };
};

const lagOfConsumer =
  (conn: Connection) =>
  async (stream: string, info: ConsumerInfo): Promise<ConsumerLag> => {
    const waiting = info.num_pending + info.num_ack_pending;
    const age = waiting === 0 ? { since: undefined, known: true } : await oldestWaiting(conn, stream, info);
    return {
      stream,
      consumer: info.name,
      waiting,
      oldestWaitingSince: age.since,
      ageKnown: age.known,
      pausedUntil: pausedUntilOf(info.config),
    };
  };

/** Each durable consumer of a subscription (and of its re-drives) with what waits on it. */
export const deliveryLag = (conn: Connection, target: PauseTarget): Promise<ConsumerLag[]> =>
  eachConsumer(conn, target, async () => undefined, lagOfConsumer(conn));

/** The lag of several consumers as one: the count added up, the oldest of the ages. */
export const lagOf = (consumers: readonly ConsumerLag[]): Lag => {
  let waiting = 0;
  let oldest: Date | undefined;
  let ageKnown = true;
  let pausedUntil: Date | undefined;
  for (const c of consumers) {
    if (c.pausedUntil !== undefined && (pausedUntil === undefined || c.pausedUntil > pausedUntil))
      pausedUntil = c.pausedUntil;
    waiting += c.waiting;
    if (c.waiting > 0 && !c.ageKnown) ageKnown = false;
    if (c.oldestWaitingSince !== undefined && (oldest === undefined || c.oldestWaitingSince < oldest))
      oldest = c.oldestWaitingSince;
  }
  return { waiting, oldestWaitingSince: oldest, ageKnown, pausedUntil };
};

/** Whole seconds the oldest waiting message has waited at `now`; 0 when nothing waits. */
export const secondsBehind = (lag: Pick<Lag, "oldestWaitingSince">, now: number): number =>
  lag.oldestWaitingSince === undefined
    ? 0
    : Math.max(0, Math.floor((now - lag.oldestWaitingSince.getTime()) / 1_000));

/** A city's relay: its broadcasts' and its directed messages' subscriptions (services/city-relay). */
export const RELAY_SERVICES = [ConsumerServices.relay, ConsumerServices.relayDirect] as const;

/** Every consumer of a city's relay with what waits on it; NotFound when the city never ran one. */
export const relayLag = async (conn: Connection, city: string): Promise<ConsumerLag[]> => {
  const found: ConsumerLag[] = [];
  let missing: unknown;
  for (const service of RELAY_SERVICES) {
    try {
      found.push(...(await deliveryLag(conn, { city, service })));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      missing ??= error;
    }
  }
  if (found.length === 0) throw missing;
  return found;
};
