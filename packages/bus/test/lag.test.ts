import { lagOf, NotFoundError, secondsBehind } from "@tongbao/bus";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { startHarness, waitFor } from "./support.ts";

describe("a relay's lag", () => {
  it("counts what its city has not yet acknowledged, and since when the oldest has waited", async () => {
    await using h = await startHarness();
    let open = false;
    const handled: string[] = [];
    const sub = await h.bus.subscribe({
      city: "suzhou",
      service: "relay",
      concurrency: 2,
      // The city's systems are down until `open`: two notices in flight, the rest not yet delivered.
      handler: async (event) => {
        await waitFor("the city's systems", () => open, 30_000);
        handled.push(event.id);
      },
    });
    const first = await h.bus.publish(eventOf("risk.changed", { subject: "hangzhou-xiaoshan" }));
    const stored = await h.bus.connection.jsm.streams.getMessage(first.stream, { seq: first.seq });
    for (let i = 0; i < 4; i++) await h.bus.publish(eventOf("risk.changed", { subject: `hangzhou-d${i}` }));

    await waitFor("five notices waiting", async () => lagOf(await h.bus.relayLag("suzhou")).waiting === 5);
    const behind = lagOf(await h.bus.relayLag("suzhou"));
    expect(behind.oldestWaitingSince?.getTime()).toBe(stored?.time.getTime());
    expect(behind.ageKnown).toBe(true);
    expect(secondsBehind(behind, (stored?.time.getTime() ?? 0) + 7_500)).toBe(7);
    const events = (await h.bus.relayLag("suzhou")).find((c) => c.consumer === "suzhou-relay");
    expect(events).toMatchObject({ stream: "EVENTS", waiting: 5, pausedUntil: undefined });

    open = true;
    await waitFor("all five handled", () => handled.length === 5);
    await waitFor("nothing waiting", async () => lagOf(await h.bus.relayLag("suzhou")).waiting === 0);
    const caughtUp = lagOf(await h.bus.relayLag("suzhou"));
    expect(caughtUp.oldestWaitingSince).toBeUndefined();
    expect(secondsBehind(caughtUp, Date.now())).toBe(0);
    await sub.stop();
  });

  it("is NotFound for a city that never ran a relay", async () => {
    await using h = await startHarness();
    await expect(h.bus.relayLag("suzhou")).rejects.toThrow(NotFoundError);
    await expect(h.bus.relayLag("not a city")).rejects.toThrow(/tokens/);
  });
});
