import type { TongbaoEvent } from "@tongbao/events";
import { accepted, type Decider, type DecisionContext, RefusalKind, refused } from "../decider.ts";
import { districtRefusal } from "../places.ts";

// 分区分级: a district's risk level is its own city's word. The metro definition says which city a
// district belongs to; without it, a district id starts with its city's (`suzhou-gusu`), as the
// metro definition requires of every district.

export type RiskType = "risk.changed";

/** Nothing to remember: who may speak for a district never changes. */
export type RiskAuthority = Record<string, never>;

const decide = (_state: RiskAuthority, event: TongbaoEvent<RiskType>, context: DecisionContext) => {
  const refusal = districtRefusal(event.subject, event.origin, context, RefusalKind.notYours);
  if (refusal === undefined) return accepted;
  return refusal.kind === RefusalKind.notYours
    ? refused(refusal.kind, `${refusal.reason}: only its own city sets its risk level`)
    : refused(refusal.kind, refusal.reason);
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
