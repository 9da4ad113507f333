import type { Bus, DeadLetterAdmin } from "@tongbao/bus";
import type { Metro } from "@tongbao/metro";
import type { ReadModels } from "@tongbao/projections";

export interface Limits {
  /** Events sent from each stream's recent history when the live feed opens (default 200). */
  readonly feedBacklog: number;
  /** Comment lines on an idle live feed, so proxies keep it open (default 15 s). */
  readonly heartbeatMs: number;
  /** Most events a replay brings into the page (default 1000, at most 5000 when asked). */
  readonly replayEvents: number;
  /** Most notices whose receipts one request asks for (default 100). */
  readonly receiptNotices: number;
}

export const defaultLimits: Limits = {
  feedBacklog: 200,
  heartbeatMs: 15_000,
  replayEvents: 1_000,
  receiptNotices: 100,
};

/** What every route of the console works with. */
export interface ConsoleContext {
  readonly bus: Bus;
  readonly metro: Metro;
  readonly cities: readonly string[];
  readonly readModels: ReadModels;
  readonly deadLetters: DeadLetterAdmin;
  readonly limits: Limits;
}
