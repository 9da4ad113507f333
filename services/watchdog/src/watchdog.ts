import type { Bus } from "@tongbao/bus";
import type { Logger } from "@tongbao/service-kit";
import { DEFAULT_BEHIND_AT_NOTICES, watchBehind } from "./behind.ts";
import type { WatchedMetro } from "./metro.ts";
import { watchDirected, watchNotices } from "./notices.ts";
import { watchTraces } from "./traces.ts";

export interface WatchdogOptions {
  readonly bus: Bus;
  readonly metro: WatchedMetro;
  readonly logger?: Logger;
  /** The clock deadlines are compared with (milliseconds since the epoch). */
  readonly now?: () => number;
  /** How long after storing it a trace request already past due is judged (default a minute). */
  readonly historyGraceMs?: number;
  /** Notices waiting for a late city before it counts as behind (default 10; see behind.ts). */
  readonly behindAtNotices?: number;
}

export interface Watchdog {
  /** Stops both watches; what they were checking is finished or handed back to JetStream. */
  stop(): Promise<void>;
}

// Each deferral uses one delivery: a trace due in days defers about once an hour (see due.ts).
const MAX_ATTEMPTS = 2_000;
// Deferred events stay unacknowledged until due: room for every notice of a busy deadline window.
const MAX_ACK_PENDING = 20_000;
// A delivery lost while the watchdog stops (fetched, not yet handled) comes back after this; checks
// are short (a few reads and one publish), and slower ones send heartbeats.
const ACK_WAIT_MS = 10_000;

/**
 * Raises `notice.overdue` for a broadcast that not every other city acknowledged within the metro's
 * deadline (and a directed message its target did not), and `trace.overdue` for a trace request not
 * answered by its due time — each once; `relay.behind` once for a city whose relay fell behind,
 * instead of an overdue notice for each of its waiting notices; and
 * moves what any consumer gave up on into DEADLETTER.
 */
export const createWatchdog = async (options: WatchdogOptions): Promise<Watchdog> => {
  const now = options.now ?? Date.now;
  const behind = watchBehind({
    bus: options.bus,
    now,
    ...(options.logger !== undefined && { logger: options.logger }),
    withinMs: options.metro.acknowledgeWithinSeconds * 1_000,
    behindAtNotices: options.behindAtNotices ?? DEFAULT_BEHIND_AT_NOTICES,
  });
  const watch = {
    bus: options.bus,
    metro: options.metro,
    now,
    behind,
    maxAttempts: MAX_ATTEMPTS,
    maxAckPending: MAX_ACK_PENDING,
    ackWaitMs: ACK_WAIT_MS,
    logger: options.logger,
    ...(options.historyGraceMs !== undefined && { historyGraceMs: options.historyGraceMs }),
  };
  // The metro's one dead-letter mover: what a consumer gave up on without recording it itself (a
  // handler that crashed or hung on every attempt) becomes a dead letter an operator can re-drive.
  const running: { stop(): Promise<void> }[] = [];
  try {
    running.push(await options.bus.startDeadLetterMover());
    running.push(await watchNotices(watch));
    running.push(await watchTraces(watch));
    running.push(await watchDirected(watch));
  } catch (error) {
    behind.stop();
    await Promise.all(running.map((r) => r.stop()));
    throw error;
  }
  return {
    stop: async () => {
      behind.stop();
      await Promise.all(running.map((r) => r.stop()));
    },
  };
};
