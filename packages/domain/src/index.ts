// @tongbao/domain — authority as pure deciders, one per aggregate. Pure: no I/O, no NATS.

export type { CaseState, CaseType } from "./case/case.ts";
export { caseDecider } from "./case/case.ts";
export type {
  AggregateState,
  AnyDecider,
  Decider,
  Decision,
  DecisionContext,
  MetroView,
  Refusal,
} from "./decider.ts";
export { accepted, RefusalKind, refused, unlessRefused } from "./decider.ts";
export { deciders } from "./deciders.ts";
export type { Folded } from "./fold.ts";
export { applyTo, decideOn, deciderFor, foldAggregate } from "./fold.ts";
export type { MeasureType, MeasureVersions } from "./measure/measure.ts";
export { policyDecider, trafficDecider } from "./measure/measure.ts";
export type { PassAuthority, PassType } from "./pass/pass.ts";
export { passDecider } from "./pass/pass.ts";
export type { PersonType, PushAuthority } from "./person/person.ts";
export { personDecider } from "./person/person.ts";
export type { RiskAuthority, RiskType } from "./risk/risk.ts";
export { riskDecider } from "./risk/risk.ts";
export type { SupplyAuthority, SupplyType } from "./supply/supply.ts";
export { supplyDecider } from "./supply/supply.ts";
export type { TraceExchange, TraceType } from "./trace/trace.ts";
export { traceDecider, unansweredContacts } from "./trace/trace.ts";
