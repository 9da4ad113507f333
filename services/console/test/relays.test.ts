import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { signIn, startConsole, waitFor } from "./support.ts";

type Relays = {
  acknowledgeWithinSeconds: number;
  relays: {
    city: string;
    relay: "running" | "none";
    waiting?: number;
    oldestWaitingSince?: string;
    secondsBehind?: number;
    pausedUntil?: string;
    pastDeadline?: boolean;
  }[];
};

describe("the relays panel", () => {
  it("shows how far behind each city's relay is, whether it is paused, and when that is past the deadline", async () => {
    await using h = await startConsole({ acknowledgeWithinSeconds: 1 });
    const operator = await signIn(h.url);
    const relays = async () => (await (await operator.fetch("/api/relays")).json()) as Relays;

    // Suzhou's relay ran once and is down now: its consumer holds what Suzhou has not yet accepted.
    const down = await h.bus.subscribe({
      city: "suzhou",
      service: "relay",
      skipOwn: true,
      handler: async () => {},
    });
    await down.stop();
    const first = await h.bus.publish(eventOf("risk.changed", { origin: "hangzhou", subject: "hangzhou-a" }));
    await h.bus.publish(eventOf("risk.changed", { origin: "hangzhou", subject: "hangzhou-b" }));
    const stored = await h.bus.connection.jsm.streams.getMessage(first.stream, { seq: first.seq });

    await waitFor("Suzhou a second behind", async () =>
      (await relays()).relays.some((r) => r.city === "suzhou" && (r.secondsBehind ?? 0) >= 1),
    );
    const view = await relays();
    expect(view.acknowledgeWithinSeconds).toBe(1);
    expect(view.relays.find((r) => r.city === "suzhou")).toMatchObject({
      relay: "running",
      waiting: 2,
      oldestWaitingSince: stored?.time.toISOString(),
      pastDeadline: true,
    });
    expect(view.relays.find((r) => r.city === "shaoxing")).toEqual({ city: "shaoxing", relay: "none" });

    const until = new Date(Date.now() + 3_600_000);
    await h.bus.pauseDeliveries({ city: "suzhou", service: "relay" }, until);
    const paused = (await relays()).relays.find((r) => r.city === "suzhou");
    expect(paused?.pausedUntil).toBe(until.toISOString());
  });
});
