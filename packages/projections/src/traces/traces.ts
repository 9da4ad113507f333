import type { TongbaoEvent } from "@tongbao/events";
import type { ReadModel } from "../model.ts";

// 协查函 in flight: who asked whom, about which case, by when, and how many contacts are answered.
// Only counts: the contacts themselves (pseudonyms, districts, hashes, details) never leave the
// directed messages, which expire with their stream.

export interface TraceRequest {
  readonly requestId: string;
  readonly requester: string;
  readonly target: string;
  readonly caseId: string;
  readonly dueBy: string;
  readonly contacts: number;
  readonly answered: number;
  readonly lastAnsweredAt?: string;
}

export type OpenTraceRequest = TraceRequest;

type TraceEvent = TongbaoEvent<"trace.requested" | "trace.answered">;

/** The requesting city: the origin of a request, the target of its answer. */
const requesterOf = (event: TraceEvent): string => {
  switch (event.type) {
    case "trace.requested":
      return event.origin;
    case "trace.answered":
      return event.data.targetCity;
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

const evolve = (state: TraceRequest | undefined, event: TraceEvent): TraceRequest | undefined => {
  switch (event.type) {
    case "trace.requested":
      if (state !== undefined) return state;
      return {
        requestId: event.subject,
        requester: event.origin,
        target: event.data.targetCity,
        caseId: event.data.caseId,
        dueBy: event.data.dueBy,
        contacts: event.data.contacts.length,
        answered: 0,
      };
    case "trace.answered":
      // Only the asked city answers; an answer may come in parts, one event per batch of contacts.
      if (state === undefined || event.origin !== state.target) return state;
      return {
        ...state,
        answered: Math.min(state.contacts, state.answered + event.data.answers.length),
        lastAnsweredAt: event.data.answeredAt,
      };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

export const tracesModel: ReadModel<TraceRequest, TraceEvent> = {
  name: "traces",
  bucket: "rm-traces",
  streams: ["direct"],
  types: ["trace.requested", "trace.answered"],
  statuses: "actual",
  keyOf: (event) => `${requesterOf(event)}.${event.subject}`,
  evolve,
};

export const isOpen = (request: TraceRequest): boolean => request.answered < request.contacts;
