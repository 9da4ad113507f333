import type { TongbaoEvent } from "@tongbao/events";
import { accepted, type Decider, type DecisionContext, RefusalKind, refused } from "../decider.ts";

// 首接负责制 (first-receiver responsibility): the city that reports a case owns it; only the owner
// appends to it, and only the owner's case.transferred moves it — at once: the receiving city owns
// the case from the transfer on and may hand it back with a transfer of its own.

export type CaseType = "case.reported" | "case.reclassified" | "case.closed" | "case.transferred";
type CaseEvent = TongbaoEvent<CaseType>;

export interface CaseState {
  /** Null until the case is reported. */
  readonly owner: string | null;
  readonly reportedBy: string | null;
}

const decide = (state: CaseState, event: CaseEvent, context: DecisionContext) => {
  const caseId = event.subject;
  if (event.type === "case.reported") {
    return state.owner === null
      ? accepted
      : refused(RefusalKind.conflict, `case ${caseId} was already reported by ${state.reportedBy}`);
  }
  if (state.owner === null) return refused(RefusalKind.unknown, `case ${caseId} has not been reported`);
  if (state.owner !== event.origin) {
    return refused(
      RefusalKind.notYours,
      `case ${caseId} is owned by ${state.owner}: only ${state.owner} may append to it, until it transfers the case`,
    );
  }
  if (event.type !== "case.transferred") return accepted;
  const to = event.data.newOwner;
  if (to === state.owner) return refused(RefusalKind.rule, `case ${caseId} is already owned by ${to}`);
  if (context.metro !== undefined && !context.metro.hasCity(to)) {
    return refused(RefusalKind.unknown, `case ${caseId} cannot move to ${to}: no such city in the metro`);
  }
  return accepted;
};

const evolve = (state: CaseState, event: CaseEvent): CaseState => {
  switch (event.type) {
    case "case.reported":
      return { owner: event.origin, reportedBy: event.origin };
    case "case.transferred":
      return { ...state, owner: event.data.newOwner };
    case "case.reclassified":
    case "case.closed":
      return state;
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

export const caseDecider: Decider<CaseState, CaseType> = {
  aggregate: "case",
  types: ["case.reported", "case.reclassified", "case.closed", "case.transferred"],
  directed: false,
  initial: { owner: null, reportedBy: null },
  decide,
  evolve,
};
