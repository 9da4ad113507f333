import { type Bus, ConsumerServices, type Later, type Subscription } from "@tongbao/bus";
import { ANY_AUDIENCE, METRO_ORIGIN, type TongbaoEvent } from "@tongbao/events";
import { lateBySeconds, notYet } from "./due.ts";
import type { WatchOptions } from "./notices.ts";
import { raiseOnce } from "./raise-once.ts";

type TraceRequested = TongbaoEvent<"trace.requested">;

/**
 * Whether the target city answered by the due time. The latest answer usually settles it; only when
 * that one came late is the history read for an earlier answer in time.
 */
const answeredInTime = async (bus: Bus, request: TraceRequested, dueMs: number): Promise<boolean> => {
  const answer = { origin: request.data.targetCity, type: "trace.answered", key: request.subject };
  const last = await bus.lastEvent({ ...answer, audience: request.origin });
  if (last === null) return false;
  if (last.recordedAt.getTime() <= dueMs) return true;
  const earlier = bus.replay({
    stream: "direct",
    audience: request.origin,
    origins: [answer.origin],
    types: [answer.type],
    key: answer.key,
    recordedUntil: new Date(dueMs + 1),
  });
  for await (const _ of earlier) {
    await earlier.return(undefined);
    return true;
  }
  return false;
};

/**
 * Every trace request (协查函) must be answered by its `dueBy`; `trace.overdue` says which was not,
 * without any of the request's personal data. Reads every city's directed messages.
 */
export const watchTraces = (options: WatchOptions): Promise<Subscription> => {
  const { bus, now, logger } = options;

  const check = async (event: TongbaoEvent): Promise<Later | undefined> => {
    if (event.type !== "trace.requested" || event.status === "test") return;
    const dueMs = Date.parse(event.data.dueBy);
    const later = notYet(dueMs, now());
    if (later) return later;
    if (await answeredInTime(bus, event, dueMs)) return;

    const raised = await raiseOnce(
      bus,
      {
        type: "trace.overdue",
        origin: METRO_ORIGIN,
        subject: event.subject,
        status: event.status,
        correlationid: event.correlationid ?? event.id,
        causationid: event.id,
        data: {
          requestingCity: event.origin,
          targetCity: event.data.targetCity,
          dueBy: event.data.dueBy,
          lateBySeconds: lateBySeconds(dueMs, now()),
        },
      },
      (existing) => existing.type === "trace.overdue" && existing.data.requestingCity === event.origin,
      logger,
    );
    if (raised) {
      logger?.info(
        { request: event.subject, requestingCity: event.origin, targetCity: event.data.targetCity },
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
