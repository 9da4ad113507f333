import type { Bus } from "@tongbao/bus";
import { METRO_ORIGIN, overdueKey } from "@tongbao/events";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { nextOverdue, overdueEvents, startHarness, TRACES, waitUntilChecked } from "./support.ts";

const contact = (contactRef: string) => ({
  contactRef,
  district: "shaoxing-zhuji",
  lastContactAt: "2020-02-01T19:00:00+08:00",
});

/** A request from Hangzhou to Shaoxing about two contacts; its overdue key names both cities. */
const requestTrace = async (bus: Bus, dueInMs: number) => {
  const request = eventOf("trace.requested", {
    origin: "hangzhou",
    data: {
      targetCity: "shaoxing",
      dueBy: new Date(Date.now() + dueInMs).toISOString(),
      contacts: [contact("c_first_contact_01"), contact("c_second_contact_2")],
    },
  });
  const published = await bus.publish(request);
  return {
    requestId: request.subject,
    key: overdueKey("hangzhou", "shaoxing", request.subject),
    ...published,
  };
};

const answerTrace = (
  bus: Bus,
  requestId: string,
  refs = ["c_first_contact_01", "c_second_contact_2"],
  answeredAt = new Date(),
) =>
  bus.publish(
    eventOf("trace.answered", {
      origin: "shaoxing",
      subject: requestId,
      data: {
        targetCity: "hangzhou",
        answeredAt: answeredAt.toISOString(),
        answers: refs.map((contactRef) => ({ contactRef, outcome: "located" as const })),
      },
    }),
  );

describe("trace.overdue", () => {
  it("is raised once, without personal data, for a request unanswered past its due time", async () => {
    await using h = await startHarness();
    const request = await requestTrace(h.bus, 1_000);

    const { event } = await nextOverdue(h.bus, "trace.overdue", request.key);
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
    expect(await overdueEvents(h.bus, "trace.overdue", request.key)).toHaveLength(1);
  });

  it("is not raised for a request answered in time, in parts", async () => {
    await using h = await startHarness();
    const request = await requestTrace(h.bus, 1_000);
    await answerTrace(h.bus, request.requestId, ["c_first_contact_01"]);
    await answerTrace(h.bus, request.requestId, ["c_second_contact_2"]);

    await waitUntilChecked(h.bus, TRACES, request.seq);
    expect(await overdueEvents(h.bus, "trace.overdue", request.key)).toEqual([]);
  });

  it("is raised when only some of the contacts were answered: a partial answer leaves it open", async () => {
    await using h = await startHarness();
    const request = await requestTrace(h.bus, 1_000);
    await answerTrace(h.bus, request.requestId, ["c_first_contact_01"]);

    const { event } = await nextOverdue(h.bus, "trace.overdue", request.key);
    expect(event.data).toMatchObject({ requestingCity: "hangzhou", targetCity: "shaoxing" });
  });

  it("is raised for a request answered only after its due time, even if the watchdog was down then", async () => {
    await using h = await startHarness();
    let key = "";
    await h.restart(async () => {
      const request = await requestTrace(h.bus, 300);
      key = request.key;
      await new Promise((resolve) => setTimeout(resolve, 600));
      await answerTrace(h.bus, request.requestId);
    });
    const { event } = await nextOverdue(h.bus, "trace.overdue", key);
    expect(event.data).toMatchObject({ requestingCity: "hangzhou", targetCity: "shaoxing" });
  });

  it("judges a history loaded after its due time by when it was answered (the February 2020 scenario)", async () => {
    await using h = await startHarness();
    const dueBy = new Date("2020-02-04T10:30:00+08:00");
    const onTime = await requestTrace(h.bus, dueBy.getTime() - Date.now());
    await answerTrace(h.bus, onTime.requestId, undefined, new Date("2020-02-04T09:00:00+08:00"));
    const late = await requestTrace(h.bus, dueBy.getTime() - Date.now());
    await answerTrace(h.bus, late.requestId, undefined, new Date("2020-02-05T09:00:00+08:00"));

    await nextOverdue(h.bus, "trace.overdue", late.key);
    await waitUntilChecked(h.bus, TRACES, late.seq);
    expect(await overdueEvents(h.bus, "trace.overdue", onTime.key)).toEqual([]);
  });

  it("keeps two cities' requests of the same id apart: reusing an id silences no one's alarm", async () => {
    await using h = await startHarness();
    const first = await requestTrace(h.bus, 500);
    // The target itself asks Hangzhou under the same id, due at once.
    await h.bus.publish(
      eventOf("trace.requested", {
        origin: "shaoxing",
        subject: first.requestId,
        data: {
          targetCity: "hangzhou",
          dueBy: new Date(Date.now() - 1_000).toISOString(),
          contacts: [{ ...contact("c_first_contact_01"), district: "hangzhou-xihu" }],
        },
      }),
    );
    await nextOverdue(h.bus, "trace.overdue", overdueKey("shaoxing", "hangzhou", first.requestId));
    const { event } = await nextOverdue(h.bus, "trace.overdue", first.key);
    expect(event.data).toMatchObject({ requestingCity: "hangzhou", targetCity: "shaoxing" });
  });
});
