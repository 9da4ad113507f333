import {
  type Bus,
  ConsumerServices,
  type Delivery,
  type Later,
  type ReceiptReport,
  type Subscription,
} from "@tongbao/bus";
import { ANY_AUDIENCE, METRO_ORIGIN, overdueKey, type TongbaoEvent } from "@tongbao/events";
import type { Logger } from "@tongbao/service-kit";
import type { BehindCities } from "./behind.ts";
import { lateBySeconds, notYet } from "./due.ts";
import type { WatchedMetro } from "./metro.ts";
import { raiseOnce } from "./raise-once.ts";

export interface WatchOptions {
  readonly bus: Bus;
  readonly metro: WatchedMetro;
  readonly now: () => number;
  readonly logger?: Logger;
  /** Deliveries per event before JetStream gives up on it; each deferral uses one. */
  readonly maxAttempts: number;
  readonly maxAckPending: number;
  readonly ackWaitMs: number;
  /** How long after storing it a trace request already past due is judged (traces.ts). */
  readonly historyGraceMs?: number;
  /** Late cities whose relay is behind: said once with relay.behind, not per notice (behind.ts). */
  readonly behind?: BehindCities;
}

/**
 * Cities that had not acknowledged by the deadline. A receipt recorded later still counts as late, so
 * the outcome does not depend on whether the watchdog was running at the deadline.
 */
export const lateCities = (report: ReceiptReport, deadlineMs: number): string[] => [
  ...report.pending,
  ...report.acknowledged.filter(({ at }) => Date.parse(at) > deadlineMs).map(({ city }) => city),
];

/** Which notices a watch checks: broadcasts for every other city, or directed messages for their target. */
interface Watched {
  readonly stream: "events" | "direct";
  readonly service: string;
  /** The cities that must acknowledge the notice. */
  expected(notice: TongbaoEvent, metro: WatchedMetro): string[];
}

const BROADCASTS: Watched = {
  stream: "events",
  service: ConsumerServices.watchdog,
  expected: (notice, metro) => metro.cities.map(({ id }) => id).filter((id) => id !== notice.origin),
};

const DIRECTED: Watched = {
  stream: "direct",
  service: ConsumerServices.watchdogDirect,
  expected: (notice) => (notice.audience === undefined ? [] : [notice.audience]),
};

const watch = (options: WatchOptions, watched: Watched): Promise<Subscription> => {
  const { bus, metro, now, logger } = options;
  const withinMs = metro.acknowledgeWithinSeconds * 1_000;

  const check = async (notice: TongbaoEvent, delivery: Delivery): Promise<Later | undefined> => {
    if (notice.status === "test" || notice.origin === METRO_ORIGIN) return;
    // From when it was stored, not from the event's own time: history loaded today may say 2020.
    const deadlineMs = delivery.recordedAt.getTime() + withinMs;
    const later = notYet(deadlineMs, now());
    if (later) return later;

    const lateOrBehind = lateCities(
      await bus.receipts({ origin: notice.origin, id: notice.id }, watched.expected(notice, metro)),
      deadlineMs,
    );
    if (lateOrBehind.length === 0) return;
    const behind = (await options.behind?.among(lateOrBehind)) ?? new Set<string>();
    const late = lateOrBehind.filter((city) => !behind.has(city));
    if (late.length === 0) return;
    // No key, no data: a directed message's overdue names only its type, origin and target.
    const raised = await raiseOnce(bus, {
      type: "notice.overdue",
      origin: METRO_ORIGIN,
      subject: overdueKey(notice.origin, notice.id),
      status: notice.status,
      correlationid: notice.correlationid ?? notice.id,
      causationid: notice.id,
      data: {
        notice: { eventId: notice.id, type: notice.type, origin: notice.origin, time: notice.time },
        unacknowledged: late,
        deadline: new Date(deadlineMs).toISOString(),
        lateBySeconds: lateBySeconds(deadlineMs, now()),
      },
    });
    if (raised) {
      logger?.info(
        { notice: notice.id, origin: notice.origin, type: notice.type, unacknowledged: late },
        "notice overdue",
      );
    }
  };

  return bus.subscribe({
    city: METRO_ORIGIN,
    service: watched.service,
    stream: watched.stream,
    // A broadcast its decider refuses (a raw client's forgery) is no notice: it raises no alarm.
    ...(watched.stream === "events" && { decideOnRead: true }),
    ...(watched.stream === "direct" && { audience: ANY_AUDIENCE }),
    maxAttempts: options.maxAttempts,
    maxAckPending: options.maxAckPending,
    ackWaitMs: options.ackWaitMs,
    handler: check,
    onFailure: ({ consumer, seq, attempt, error }) =>
      logger?.warn({ consumer, seq, attempt, err: error }, "checking a notice failed; retrying"),
  });
};

/**
 * Every broadcast of a city (actual or exercise) must be acknowledged by every other city of the
 * metro within `acknowledgeWithinSeconds` of being stored; `notice.overdue` names those that did not.
 */
export const watchNotices = (options: WatchOptions): Promise<Subscription> => watch(options, BROADCASTS);

/**
 * Every directed message (a key-person push, a trace request or answer) must be acknowledged by its
 * target within the same deadline: a push nobody received is as urgent as a broadcast.
 */
export const watchDirected = (options: WatchOptions): Promise<Subscription> => watch(options, DIRECTED);
