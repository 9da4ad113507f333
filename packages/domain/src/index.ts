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
export { accepted, RefusalKind, refused } from "./decider.ts";
export { deciders } from "./deciders.ts";
export type { Folded } from "./fold.ts";
export { applyTo, decideOn, deciderFor, foldAggregate } from "./fold.ts";
