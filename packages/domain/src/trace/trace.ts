import { subjectOf, type TongbaoEvent } from "@tongbao/events";
import {
  accepted,
  type Decider,
  type DecisionContext,
  RefusalKind,
  refused,
  unlessRefused,
} from "../decider.ts";
import { citiesRefusal, districtRefusal } from "../places.ts";

// 协查函: a trace request is the requesting city's, addressed to one target city; only the target
// answers it, only to the city that asked, and only about the contacts the request names. An answer
// may come in parts: the request stays open until every contact is answered.
//
// Read at publish from what the answering city may see: the request addressed to it by the city it
// answers. A requester needs nothing read: it speaks only of its own request.

export type TraceType = "trace.requested" | "trace.answered";
type TraceEvent = TongbaoEvent<TraceType>;

export interface TraceExchange {
  /** Null until the request is made. */
  readonly request: {
    readonly requester: string;
    readonly target: string;
    readonly contacts: readonly string[];
  } | null;
  /** The contacts answered so far. */
  readonly answered: readonly string[];
}

const decideRequest = (
  state: TraceExchange,
  event: TongbaoEvent<"trace.requested">,
  context: DecisionContext,
) => {
  const requestId = event.subject;
  if (state.request !== null)
    return refused(
      RefusalKind.conflict,
      `trace request ${requestId} from ${state.request.requester} to ${state.request.target} was already made`,
    );
  const target = event.data.targetCity;
  if (target === event.origin)
    return refused(RefusalKind.rule, `trace request ${requestId} is addressed to its own city ${target}`);
  return unlessRefused(
    citiesRefusal([target], context),
    ...event.data.contacts.map(({ district }) =>
      districtRefusal(district, target, context, RefusalKind.rule),
    ),
  );
};

const decideAnswer = (state: TraceExchange, event: TongbaoEvent<"trace.answered">) => {
  const requestId = event.subject;
  const request = state.request;
  if (request === null)
    return refused(
      RefusalKind.unknown,
      `trace request ${requestId} from ${event.data.targetCity} to ${event.origin} does not exist`,
    );
  if (request.target !== event.origin)
    return refused(
      RefusalKind.notYours,
      `trace request ${requestId} was sent to ${request.target}: only ${request.target} answers it`,
    );
  if (event.data.targetCity !== request.requester)
    return refused(
      RefusalKind.rule,
      `trace request ${requestId} came from ${request.requester}: the answer goes back to it`,
    );
  const named = new Set(request.contacts);
  const strangers = event.data.answers.map((a) => a.contactRef).filter((ref) => !named.has(ref));
  if (strangers.length > 0)
    return refused(
      RefusalKind.rule,
      `trace request ${requestId} does not name ${strangers.length} of the contacts answered`,
    );
  return accepted;
};

const evolve = (state: TraceExchange, event: TraceEvent): TraceExchange =>
  event.type === "trace.requested"
    ? {
        request: {
          requester: event.origin,
          target: event.data.targetCity,
          contacts: event.data.contacts.map((c) => c.contactRef),
        },
        answered: [],
      }
    : {
        ...state,
        answered: [...new Set([...state.answered, ...event.data.answers.map((a) => a.contactRef)])],
      };

/** The contacts of the request not answered yet: while any is, the request is open. */
export const unansweredContacts = (state: TraceExchange): string[] => {
  const answered = new Set(state.answered);
  return (state.request?.contacts ?? []).filter((ref) => !answered.has(ref));
};

export const traceDecider: Decider<TraceExchange, TraceType> = {
  aggregate: "trace",
  types: ["trace.requested", "trace.answered"],
  directed: true,
  initial: { request: null, answered: [] },
  reads: (event) =>
    event.type === "trace.answered"
      ? [
          subjectOf({
            origin: event.data.targetCity,
            audience: event.origin,
            type: "trace.requested",
            key: event.subject,
          }),
        ]
      : [],
  decide: (state, event, context) =>
    event.type === "trace.requested" ? decideRequest(state, event, context) : decideAnswer(state, event),
  evolve,
};
