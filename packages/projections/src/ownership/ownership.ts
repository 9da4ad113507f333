import { caseDecider, decideOn } from "@tongbao/domain";
import type { TongbaoEvent } from "@tongbao/events";
import type { Meta, ReadModel } from "../model.ts";

// 首接负责制: the city that reported a case owns it until it transfers it. The case's decider says so
// at publish and here again: an event it refuses (a raw client's, stored under its own name) changes
// nothing in the fold.

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

const evolve = (
  state: CaseOwnership | undefined,
  event: CaseEvent,
  meta?: Meta,
): CaseOwnership | undefined => {
  // Only actual events are folded here, so a case that exists is an actual one.
  const decided = decideOn(
    caseDecider,
    {
      state: { owner: state?.owner ?? null, reportedBy: state?.reportedBy ?? null },
      ...(state !== undefined && { status: "actual" as const }),
    },
    event,
    meta?.decisions,
  );
  if (!decided.accepted) return state;
  if (event.type === "case.reported") {
    return {
      caseId: event.subject,
      reportedBy: event.origin,
      owner: event.origin,
      district: event.data.district,
      classification: event.data.classification,
      transfers: [],
    };
  }
  if (state === undefined) return state;
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
