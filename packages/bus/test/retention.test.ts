import { Streams } from "@tongbao/bus";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { type Harness, startHarness, waitFor } from "./support.ts";

const DIRECT_MAX_AGE_MS = 6_000;

const messagesIn = async (h: Harness, stream: string) =>
  (await h.bus.connection.jsm.streams.info(stream)).state.messages;

/** A subscriber that gives up on every event at once, so that each becomes a dead letter. */
const refuseAll = (h: Harness, stream: "events" | "direct") =>
  h.bus.subscribe({
    city: "shaoxing",
    service: `refuses-${stream}`,
    stream,
    maxAttempts: 1,
    handler: async () => {
      throw new Error("the community system is down");
    },
  });

describe("copies of directed messages expire with the original", () => {
  it("a dead letter and its re-driven copy are gone when the original is, counted from the original", async () => {
    await using h = await startHarness({ directMaxAgeMs: DIRECT_MAX_AGE_MS, duplicateWindowMs: 1_000 });
    const sub = await refuseAll(h, "direct");
    const original = await h.bus.publish(eventOf("trace.requested"));
    const storedAt = Date.now();
    await waitFor("the dead letter", async () => (await h.bus.deadLetters.list()).length === 1);
    const [letter] = await h.bus.deadLetters.list();
    expect(Date.parse(letter?.expiresAt ?? "")).toBeGreaterThanOrEqual(storedAt + DIRECT_MAX_AGE_MS - 1_000);
    expect(Date.parse(letter?.expiresAt ?? "")).toBeLessThanOrEqual(storedAt + DIRECT_MAX_AGE_MS + 1_000);
    await sub.stop();
    // Re-driven four seconds on: the copy still goes with the original, not six seconds after it was made.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(await h.bus.deadLetters.redrive({ all: true })).toEqual({ redriven: 1, skipped: 0 });
    expect(await messagesIn(h, Streams.redrive)).toBe(1);

    await waitFor("the original expired", async () => (await messagesIn(h, Streams.direct)) === 0, 15_000);
    const expiredAt = Date.now();
    await waitFor(
      "every copy gone",
      async () => (await messagesIn(h, Streams.deadLetters)) + (await messagesIn(h, Streams.redrive)) === 0,
      5_000,
    );
    expect(Date.now() - expiredAt).toBeLessThan(2_500);
    expect(original.stream).toBe(Streams.direct);
  });

  it("a broadcast's dead letter is kept: it holds no personal data and its original is kept", async () => {
    await using h = await startHarness({ directMaxAgeMs: DIRECT_MAX_AGE_MS, duplicateWindowMs: 1_000 });
    const sub = await refuseAll(h, "events");
    await h.bus.publish(eventOf("pass.issued"));
    await waitFor("the dead letter", async () => (await h.bus.deadLetters.list()).length === 1);
    await sub.stop();
    expect((await h.bus.deadLetters.list())[0]?.expiresAt).toBeNull();
  });
});

describe("what is derived from directed messages expires as they do", () => {
  it("a bucket opened to expire with directed messages drops a value the directed stream's max age after it was written", async () => {
    await using h = await startHarness({ directMaxAgeMs: DIRECT_MAX_AGE_MS, duplicateWindowMs: 1_000 });
    // Made before without an age (an older deployment): it gains the age on open.
    await h.bus.openStore<{ answered: number }>("rm-derived");
    const store = await h.bus.openStore<{ answered: number }>("rm-derived", { expiresWithDirect: true });
    const kept = await h.bus.openStore<{ answered: number }>("rm-broadcast");
    await store.put("shanghai.XC-SH-1", { answered: 1 });
    await kept.put("shanghai.PASS-1", { answered: 1 });
    const writtenAt = Date.now();
    await waitFor(
      "the derived value gone",
      async () => (await store.get("shanghai.XC-SH-1")) === null,
      15_000,
    );
    expect(Date.now() - writtenAt).toBeGreaterThanOrEqual(DIRECT_MAX_AGE_MS - 1_000);
    expect(await kept.get("shanghai.PASS-1")).not.toBeNull();
  });
});
