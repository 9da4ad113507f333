import type { TongbaoEvent } from "@tongbao/events";
import type { ReadModel } from "../model.ts";

// 首接负责制: the city that reported a case owns it until it transfers it. The bus enforces this on
// publish; the fold follows the same rule, so an event from a city that is not the owner changes
// nothing here either.

export interface CaseTransfer {
  readonly from: string;
  readonly to: string;
  readonly at: string;
}

export interface CaseOwnership {
  readonly caseId: string;
  readonly reportedBy: string;
  readonly owner: string;
  readonly district: string;
  readonly classification: string;
  readonly closed?: { readonly outcome: string; readonly at: string };
  readonly transfers: readonly CaseTransfer[];
}

type CaseEvent = TongbaoEvent<"case.reported" | "case.reclassified" | "case.closed" | "case.transferred">;

const evolve = (state: CaseOwnership | undefined, event: CaseEvent): CaseOwnership | undefined => {
  if (event.type === "case.reported") {
    if (state !== undefined) return state;
    return {
      caseId: event.subject,
      reportedBy: event.origin,
      owner: event.origin,
      district: event.data.district,
      classification: event.data.classification,
      transfers: [],
    };
  }
  if (state === undefined || state.owner !== event.origin) return state;
  switch (event.type) {
    case "case.reclassified":
      return { ...state, classification: event.data.to };
    case "case.closed":
      return { ...state, closed: { outcome: event.data.outcome, at: event.data.at } };
    case "case.transferred": {
      const transfer = { from: state.owner, to: event.data.newOwner, at: event.data.at };
      return { ...state, owner: event.data.newOwner, transfers: [...state.transfers, transfer] };
    }
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

export const ownershipModel: ReadModel<CaseOwnership, CaseEvent> = {
  name: "ownership",
  bucket: "rm-ownership",
  streams: ["events"],
  types: ["case.reported", "case.reclassified", "case.closed", "case.transferred"],
  statuses: "actual",
  keyOf: (event) => event.subject,
  evolve,
};
