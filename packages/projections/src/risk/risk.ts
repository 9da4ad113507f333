import { decideOn, riskDecider } from "@tongbao/domain";
import type { RiskLevel, TongbaoEvent } from "@tongbao/events";
import type { Meta, ReadModel } from "../model.ts";

// 分区分级: a district's risk level, its own city's word (the risk decider). The state keeps the district's recent changes in log order, so
// the level in force at any moment (a change published today may take effect tomorrow) is a lookup.

export interface RiskChange {
  readonly level: RiskLevel;
  readonly previousLevel?: RiskLevel;
  readonly effectiveFrom: string;
  readonly measures: readonly string[];
  readonly eventId: string;
  readonly recordedAt: string;
}

export interface DistrictRisk {
  readonly districtId: string;
  /** The city that published the latest change. */
  readonly origin: string;
  readonly changes: readonly RiskChange[];
}

/** Enough for "now" and the days ahead; older moments are answered by folding the log. */
const KEPT_CHANGES = 20;

const evolve = (state: DistrictRisk | undefined, event: TongbaoEvent<"risk.changed">, meta: Meta) => {
  // Only the district's own city: another city's word, stored by a raw client, changes nothing.
  if (!decideOn(riskDecider, { state: {} }, event, meta.decisions).accepted) return state;
  switch (event.type) {
    case "risk.changed": {
      const { level, previousLevel, effectiveFrom, measures } = event.data;
      const change: RiskChange = {
        level,
        ...(previousLevel === undefined ? {} : { previousLevel }),
        effectiveFrom,
        measures,
        eventId: event.id,
        recordedAt: meta.recordedAt.toISOString(),
      };
      return {
        districtId: event.subject,
        origin: event.origin,
        changes: [...(state?.changes ?? []), change].slice(-KEPT_CHANGES),
      };
    }
    default: {
      const unexpected: never = event.type;
      return unexpected;
    }
  }
};

export const riskModel: ReadModel<DistrictRisk, TongbaoEvent<"risk.changed">> = {
  name: "risk",
  bucket: "rm-risk",
  streams: ["events"],
  types: ["risk.changed"],
  statuses: "actual",
  keyOf: (event) => event.subject,
  evolve,
};

export interface RiskInForce {
  readonly level: RiskLevel;
  readonly previousLevel?: RiskLevel;
  readonly effectiveFrom: string;
  readonly measures: readonly string[];
}

/**
 * The level in force at `atMs`: of the changes already effective then, the last one in log order (a
 * later publication corrects an earlier one). The previous level is the one the change states, or
 * else the level in force before it.
 */
export const riskAt = (district: DistrictRisk, atMs: number): RiskInForce | undefined => {
  const effective = district.changes.filter((c) => Date.parse(c.effectiveFrom) <= atMs);
  const current = effective.at(-1);
  if (current === undefined) return undefined;
  const previousLevel = current.previousLevel ?? effective.at(-2)?.level;
  return {
    level: current.level,
    ...(previousLevel === undefined ? {} : { previousLevel }),
    effectiveFrom: current.effectiveFrom,
    measures: current.measures,
  };
};
