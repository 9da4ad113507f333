import type { Bus, Published, Subscription } from "@tongbao/bus";
import { overdueKey } from "@tongbao/events";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { eventually, NOTICES, overdueEvents, startHarness, waitUntilChecked } from "./support.ts";

const acknowledge = (bus: Bus, id: string, receiver: string) =>
  bus.recordReceipt({ notice: { origin: "hangzhou", id }, receiver });

/** Jiaxing's relay as it is when its systems are down: its consumer exists, nothing is delivered. */
const relayDown = async (bus: Bus) => {
  const relay = await bus.subscribe({
    city: "jiaxing",
    service: "relay",
    skipOwn: true,
    handler: async () => {},
  });
  await relay.stop();
};

/** Jiaxing's relay back up: every waiting notice is received (its receipt recorded). */
const relayUp = (bus: Bus): Promise<Subscription> =>
  bus.subscribe({
    city: "jiaxing",
    service: "relay",
    skipOwn: true,
    handler: async (notice) => {
      await acknowledge(bus, notice.id, "jiaxing");
    },
  });

/**
 * `n` broadcasts from Hangzhou stored as one batch, each acknowledged at once by Shaoxing (whose
 * relay is fine): well inside the test metro's one-second deadline, however slow the machine.
 */
const broadcasts = async (bus: Bus, n: number, tag: string): Promise<Published[]> => {
  const sent = await bus.publishBatch(
    Array.from({ length: n }, (_, i) =>
      eventOf("risk.changed", { origin: "hangzhou", subject: `hangzhou-${tag}${i}` }),
    ),
  );
  await Promise.all(sent.map((notice) => acknowledge(bus, notice.id, "shaoxing")));
  return sent;
};

describe("relay.behind", () => {
  it("says once that a city's relay is behind instead of an overdue notice for each waiting notice", async () => {
    await using h = await startHarness();
    await relayDown(h.bus);
    const sent = await broadcasts(h.bus, 15, "a");
    // Shaoxing misses one: a city late on a single notice is still named in its overdue notice.
    const missed = await h.bus.publish(
      eventOf("risk.changed", { origin: "hangzhou", subject: "hangzhou-b" }),
    );

    const last = missed;
    await waitUntilChecked(h.bus, NOTICES, last.seq);
    const behind = await overdueEvents(h.bus, "relay.behind");
    expect(behind).toHaveLength(1);
    expect(behind[0]?.event.data).toMatchObject({ city: "jiaxing" });
    const data = behind[0]?.event.data as { waiting: number; oldestWaitingSince: string };
    expect(data.waiting).toBeGreaterThanOrEqual(10);
    const firstStored = await h.bus.connection.jsm.streams.getMessage("EVENTS", { seq: sent[0]?.seq ?? 0 });
    expect(data.oldestWaitingSince).toBe(firstStored?.time.toISOString());

    for (const notice of sent)
      expect(await overdueEvents(h.bus, "notice.overdue", overdueKey("hangzhou", notice.id))).toEqual([]);
    const [overdue] = await overdueEvents(h.bus, "notice.overdue", overdueKey("hangzhou", missed.id));
    expect(overdue?.event.data).toMatchObject({ unacknowledged: ["shaoxing"] });
  });

  it("ends when the relay caught up: falling behind again is said again, once", async () => {
    await using h = await startHarness();
    await relayDown(h.bus);
    const first = await broadcasts(h.bus, 12, "a");
    await waitUntilChecked(h.bus, NOTICES, first.at(-1)?.seq ?? 0);
    expect(await overdueEvents(h.bus, "relay.behind")).toHaveLength(1);

    const up = await relayUp(h.bus);
    await eventually("jiaxing caught up", async () =>
      (await h.bus.relayLag("jiaxing")).every((c) => c.waiting === 0) ? true : null,
    );
    await up.stop();
    // The watchdog looks at an open episode every 5 s.
    await new Promise((resolve) => setTimeout(resolve, 6_000));

    const second = await broadcasts(h.bus, 12, "c");
    await waitUntilChecked(h.bus, NOTICES, second.at(-1)?.seq ?? 0);
    const raised = await overdueEvents(h.bus, "relay.behind");
    expect(raised).toHaveLength(2);
    const secondStored = await h.bus.connection.jsm.streams.getMessage("EVENTS", {
      seq: second[0]?.seq ?? 0,
    });
    expect(raised[1]?.event.data).toMatchObject({
      city: "jiaxing",
      oldestWaitingSince: secondStored?.time.toISOString(),
    });
    for (const notice of [...first, ...second])
      expect(await overdueEvents(h.bus, "notice.overdue", overdueKey("hangzhou", notice.id))).toEqual([]);
  }, 60_000);
});
