import type { Bus } from "@tongbao/bus";
import { METRO_ORIGIN } from "@tongbao/events";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { nextOverdue, overdueEvents, startHarness, TRACES, waitUntilChecked } from "./support.ts";

/** A request from Hangzhou to Shaoxing; its key is the request id. */
const requestTrace = async (bus: Bus, dueInMs: number) => {
  const request = eventOf("trace.requested", {
    origin: "hangzhou",
    data: { targetCity: "shaoxing", dueBy: new Date(Date.now() + dueInMs).toISOString() },
  });
  return { requestId: request.subject, ...(await bus.publish(request)) };
};

const answerTrace = (bus: Bus, requestId: string) =>
  bus.publish(
    eventOf("trace.answered", {
      origin: "shaoxing",
      subject: requestId,
      data: { targetCity: "hangzhou", answeredAt: new Date().toISOString() },
    }),
  );

describe("trace.overdue", () => {
  it("is raised once, without personal data, for a request unanswered past its due time", async () => {
    await using h = await startHarness();
    const request = await requestTrace(h.bus, 1_000);
    const { requestId } = request;

    const { event } = await nextOverdue(h.bus, "trace.overdue", requestId);
    expect(event).toMatchObject({
      origin: METRO_ORIGIN,
      status: "actual",
      causationid: request.id,
      data: { requestingCity: "hangzhou", targetCity: "shaoxing" },
    });
    expect(Object.keys(event.data).sort()).toEqual([
      "dueBy",
      "lateBySeconds",
      "requestingCity",
      "targetCity",
    ]);

    await waitUntilChecked(h.bus, TRACES, request.seq);
    expect(await overdueEvents(h.bus, "trace.overdue", requestId)).toHaveLength(1);
  });

  it("is not raised for a request answered in time", async () => {
    await using h = await startHarness();
    const request = await requestTrace(h.bus, 1_000);
    const { requestId } = request;
    await answerTrace(h.bus, requestId);

    await waitUntilChecked(h.bus, TRACES, request.seq);
    expect(await overdueEvents(h.bus, "trace.overdue", requestId)).toEqual([]);
  });

  it("is raised for a request answered only after its due time, even if the watchdog was down then", async () => {
    await using h = await startHarness();
    let requestId = "";
    await h.restart(async () => {
      ({ requestId } = await requestTrace(h.bus, -1_000));
      await answerTrace(h.bus, requestId);
    });
    const { event } = await nextOverdue(h.bus, "trace.overdue", requestId);
    expect(event.data).toMatchObject({ requestingCity: "hangzhou", targetCity: "shaoxing" });
  });
});
