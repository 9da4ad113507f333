import type { Later } from "@tongbao/bus";

/**
 * The longest single deferral. JetStream holds a deferred event until it is due; a bounded pause keeps
 * a far-off due time from hinging on one very long redelivery timer, at the cost of one attempt an hour.
 */
export const MAX_DEFERRAL_MS = 60 * 60 * 1_000;

/** "Not yet" until `dueMs`, or undefined once it is due. */
export const notYet = (dueMs: number, nowMs: number): Later | undefined =>
  nowMs < dueMs ? { retryInMs: Math.min(dueMs - nowMs, MAX_DEFERRAL_MS) } : undefined;

/** Whole seconds from `dueMs` to `nowMs`, never negative. */
export const lateBySeconds = (dueMs: number, nowMs: number): number =>
  Math.max(0, Math.floor((nowMs - dueMs) / 1_000));
