import type { Bus } from "@tongbao/bus";
import { METRO_ORIGIN, overdueKey } from "@tongbao/events";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import {
  DIRECTED,
  forgetProgress,
  NOTICES,
  nextOverdue,
  overdueEvents,
  startHarness,
  waitUntilChecked,
} from "./support.ts";

const acknowledge = (bus: Bus, id: string, receiver: string, at?: string) =>
  bus.recordReceipt({ notice: { origin: "hangzhou", id }, receiver, ...(at && { at }) });

describe("notice.overdue", () => {
  it("is not raised for a notice every other city acknowledged in time", async () => {
    await using h = await startHarness();
    const notice = await h.bus.publish(eventOf("risk.changed", { origin: "hangzhou" }));
    await acknowledge(h.bus, notice.id, "shaoxing");
    await acknowledge(h.bus, notice.id, "jiaxing");

    await waitUntilChecked(h.bus, NOTICES, notice.seq);
    expect(await overdueEvents(h.bus, "notice.overdue", overdueKey("hangzhou", notice.id))).toEqual([]);
  });

  it("names the city that did not acknowledge, once, with the notice's status and ids", async () => {
    await using h = await startHarness();
    const published = eventOf("risk.changed", { origin: "hangzhou" });
    const notice = await h.bus.publish(published);
    await acknowledge(h.bus, notice.id, "shaoxing");

    const { event, recordedAt } = await nextOverdue(
      h.bus,
      "notice.overdue",
      overdueKey("hangzhou", notice.id),
    );
    expect(event).toMatchObject({
      type: "notice.overdue",
      origin: METRO_ORIGIN,
      status: "actual",
      subject: `hangzhou_${notice.id}`,
      correlationid: notice.id,
      causationid: notice.id,
      data: {
        notice: { eventId: notice.id, type: "risk.changed", origin: "hangzhou", time: published.time },
        unacknowledged: ["jiaxing"],
      },
    });
    if (event.type !== "notice.overdue") throw new Error("not a notice.overdue");
    // The deadline runs from when the notice was stored (today), not from its own time (2020).
    const deadline = Date.parse(event.data.deadline);
    expect(deadline).toBeGreaterThan(Date.parse(published.time ?? ""));
    expect(deadline).toBeLessThanOrEqual(recordedAt.getTime());

    await waitUntilChecked(h.bus, NOTICES, notice.seq);
    expect(await overdueEvents(h.bus, "notice.overdue", overdueKey("hangzhou", notice.id))).toHaveLength(1);
  });

  it("is raised once across a restart while waiting and a redelivery of everything", async () => {
    await using h = await startHarness();
    const notice = await h.bus.publish(eventOf("risk.changed", { origin: "hangzhou" }));
    await h.restart();
    // A deferral handed over in a restart may wait out the ack wait (10 s) on a busy machine.
    await nextOverdue(h.bus, "notice.overdue", overdueKey("hangzhou", notice.id), 45_000);

    await h.restart(() => forgetProgress(h.bus));
    await waitUntilChecked(h.bus, NOTICES, notice.seq);
    const raised = await overdueEvents(h.bus, "notice.overdue", overdueKey("hangzhou", notice.id));
    expect(raised).toHaveLength(1);
    expect(raised[0]?.event.data).toMatchObject({ unacknowledged: ["shaoxing", "jiaxing"] });
  }, 90_000);

  it("counts a receipt recorded after the deadline as late", async () => {
    await using h = await startHarness();
    const notice = await h.bus.publish(eventOf("risk.changed", { origin: "hangzhou" }));
    await acknowledge(h.bus, notice.id, "shaoxing");
    await acknowledge(h.bus, notice.id, "jiaxing", new Date(Date.now() + 60_000).toISOString());

    const { event } = await nextOverdue(h.bus, "notice.overdue", overdueKey("hangzhou", notice.id));
    expect(event.data).toMatchObject({ unacknowledged: ["jiaxing"] });
  });

  it("is raised as an exercise for an exercise notice", async () => {
    await using h = await startHarness();
    const notice = await h.bus.publish(eventOf("risk.changed", { origin: "hangzhou", status: "exercise" }));
    const { event } = await nextOverdue(h.bus, "notice.overdue", overdueKey("hangzhou", notice.id));
    expect(event.status).toBe("exercise");
  });

  it("ignores test notices and Tongbao's own overdue events", async () => {
    await using h = await startHarness();
    const test = await h.bus.publish(eventOf("risk.changed", { origin: "hangzhou", status: "test" }));
    const real = await h.bus.publish(eventOf("risk.changed", { origin: "hangzhou" }));
    const overdue = await nextOverdue(h.bus, "notice.overdue", overdueKey("hangzhou", real.id));

    await waitUntilChecked(h.bus, NOTICES, overdue.seq);
    expect(await overdueEvents(h.bus, "notice.overdue", overdueKey("hangzhou", test.id))).toEqual([]);
    expect(await overdueEvents(h.bus, "notice.overdue", overdueKey("metro", overdue.event.id))).toEqual([]);
  });

  it("gives a directed message a delivery deadline: its target's receipt, or an overdue naming only the target", async () => {
    await using h = await startHarness();
    const push = (origin: string) =>
      h.bus.publish(
        eventOf("person.pushed", { origin, source: undefined, data: { targetCity: "shaoxing" } }),
      );
    const received = await push("hangzhou");
    await acknowledge(h.bus, received.id, "shaoxing");
    const lost = await push("hangzhou");

    const { event } = await nextOverdue(h.bus, "notice.overdue", overdueKey("hangzhou", lost.id));
    expect(event.data).toMatchObject({
      notice: { eventId: lost.id, type: "person.pushed", origin: "hangzhou" },
      unacknowledged: ["shaoxing"],
    });
    // The person's reference, the message's key, appears nowhere in the broadcast.
    expect(JSON.stringify(event)).not.toContain(lost.subject.split(".").at(-1));
    await waitUntilChecked(h.bus, DIRECTED, received.seq);
    expect(await overdueEvents(h.bus, "notice.overdue", overdueKey("hangzhou", received.id))).toEqual([]);
  });
});
