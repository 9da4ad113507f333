import type { TongbaoEvent } from "@tongbao/events";
import { accepted, type Decider, type DecisionContext, RefusalKind, refused } from "../decider.ts";

// 分区分级: a district's risk level is its own city's word. The metro definition says which city a
// district belongs to; without it, a district id starts with its city's (`suzhou-gusu`), as the
// metro definition requires of every district.

export type RiskType = "risk.changed";

/** Nothing to remember: who may speak for a district never changes. */
export type RiskAuthority = Record<string, never>;

const decide = (_state: RiskAuthority, event: TongbaoEvent<RiskType>, context: DecisionContext) => {
  const district = event.subject;
  const city =
    context.metro === undefined
      ? district.startsWith(`${event.origin}-`)
        ? event.origin
        : undefined
      : context.metro.cityOfDistrict(district);
  if (context.metro !== undefined && city === undefined)
    return refused(RefusalKind.unknown, `district ${district} is not a district of the metro`);
  if (city !== event.origin)
    return refused(
      RefusalKind.notYours,
      `district ${district} is ${city === undefined ? "not" : `${city}'s, not`} ${event.origin}'s: only its own city sets its risk level`,
    );
  return accepted;
};

export const riskDecider: Decider<RiskAuthority, RiskType> = {
  aggregate: "risk",
  standing: true,
  types: ["risk.changed"],
  directed: false,
  initial: {},
  reads: () => [],
  decide,
  evolve: (state) => state,
};
