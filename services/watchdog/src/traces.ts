import { type Bus, ConsumerServices, type Delivery, type Later, type Subscription } from "@tongbao/bus";
import {
  type AggregateState,
  applyTo,
  decideOn,
  type TraceExchange,
  traceDecider,
  unansweredContacts,
} from "@tongbao/domain";
import { ANY_AUDIENCE, METRO_ORIGIN, overdueKey, type TongbaoEvent } from "@tongbao/events";
import { lateBySeconds, notYet } from "./due.ts";
import type { WatchOptions } from "./notices.ts";
import { raiseOnce } from "./raise-once.ts";

type TraceRequested = TongbaoEvent<"trace.requested">;

/**
 * How long after it is stored a request already past its due time (a history loaded today, a city's
 * backlog) is judged: its answers are usually stored right behind it.
 */
export const HISTORY_GRACE_MS = 60_000;

/** When the watchdog judges a request: at its due time, or a grace after a late-stored one. */
const judgedAt = (request: TraceRequested, recordedAt: Date, graceMs: number): number => {
  const dueMs = Date.parse(request.data.dueBy);
  return recordedAt.getTime() > dueMs ? recordedAt.getTime() + graceMs : dueMs;
};

/**
 * The contacts the target city did not answer in time. An answer counts when the stream stored it
 * by the due time; for a request stored after its due time, when it says it was given by then
 * (answeredAt) and was stored by the time the request is judged. Only answers the trace decider
 * accepts count: from the target, to the requester, about contacts the request names.
 */
const unansweredInTime = async (
  bus: Bus,
  request: TraceRequested,
  recordedAt: Date,
  graceMs: number,
): Promise<string[]> => {
  const dueMs = Date.parse(request.data.dueBy);
  const late = recordedAt.getTime() > dueMs;
  const answers: TongbaoEvent<"trace.answered">[] = [];
  for await (const { event, recordedAt: storedAt } of bus.replay({
    stream: "direct",
    audience: request.origin,
    origins: [request.data.targetCity],
    types: ["trace.answered"],
    key: request.subject,
    recordedUntil: new Date(judgedAt(request, recordedAt, graceMs) + 1),
  })) {
    if (event.type !== "trace.answered" || event.status !== request.status) continue;
    if (late && Date.parse(event.data.answeredAt) > dueMs) continue;
    // Stored before the request: an answer to an earlier request of the same id, not to this one.
    if (storedAt.getTime() < recordedAt.getTime()) continue;
    answers.push(event);
  }
  // The request is the alarm's cause whatever its own flaws; its answers must be lawful to count.
  let exchange: AggregateState<TraceExchange> = {
    state: traceDecider.evolve(traceDecider.initial, request),
    status: request.status,
  };
  for (const answer of answers) {
    if (decideOn(traceDecider, exchange, answer).accepted) exchange = applyTo(traceDecider, exchange, answer);
  }
  return unansweredContacts(exchange.state);
};

/**
 * Every trace request (协查函) must be answered by its `dueBy`; `trace.overdue` says which was not,
 * without any of the request's personal data. Reads every city's directed messages.
 */
export const watchTraces = (options: WatchOptions): Promise<Subscription> => {
  const { bus, now, logger } = options;

  const check = async (event: TongbaoEvent, delivery: Delivery): Promise<Later | undefined> => {
    if (event.type !== "trace.requested" || event.status === "test") return;
    const dueMs = Date.parse(event.data.dueBy);
    const graceMs = options.historyGraceMs ?? HISTORY_GRACE_MS;
    const later = notYet(judgedAt(event, delivery.recordedAt, graceMs), now());
    if (later) return later;
    const unanswered = await unansweredInTime(bus, event, delivery.recordedAt, graceMs);
    if (unanswered.length === 0) return;

    const raised = await raiseOnce(bus, {
      type: "trace.overdue",
      origin: METRO_ORIGIN,
      subject: overdueKey(event.origin, event.data.targetCity, event.subject),
      status: event.status,
      correlationid: event.correlationid ?? event.id,
      causationid: event.id,
      data: {
        requestingCity: event.origin,
        targetCity: event.data.targetCity,
        dueBy: event.data.dueBy,
        lateBySeconds: lateBySeconds(dueMs, now()),
      },
    });
    if (raised) {
      logger?.info(
        {
          request: event.subject,
          requestingCity: event.origin,
          targetCity: event.data.targetCity,
          unanswered: unanswered.length,
        },
        "trace request overdue",
      );
    }
  };

  return bus.subscribe({
    city: METRO_ORIGIN,
    service: ConsumerServices.watchdogTraces,
    stream: "direct",
    audience: ANY_AUDIENCE,
    filter: { type: "trace.requested" },
    maxAttempts: options.maxAttempts,
    maxAckPending: options.maxAckPending,
    ackWaitMs: options.ackWaitMs,
    handler: check,
    onFailure: ({ consumer, seq, attempt, error }) =>
      logger?.warn({ consumer, seq, attempt, err: error }, "checking a trace request failed; retrying"),
  });
};
