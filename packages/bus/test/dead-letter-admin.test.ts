import type { Delivery } from "@tongbao/bus";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { type Harness, startHarness, waitFor } from "./support.ts";

/** A subscriber whose handler rejects `poisonId` while `broken` says so. */
const checkpoint = async (h: Harness, poisonId: () => string, broken: () => boolean) => {
  const handled: { id: string; delivery: Delivery }[] = [];
  const sub = await h.bus.subscribe({
    city: "suzhou",
    service: "checkpoint",
    maxAttempts: 2,
    backoffMs: [20],
    handler: async (event, delivery) => {
      if (event.id === poisonId() && broken()) throw new Error("checkpoint system rejected the pass");
      handled.push({ id: event.id, delivery });
    },
  });
  return { sub, handled };
};

describe("dead-letter administration", () => {
  it("re-drives a poison message once the handler is fixed: handled exactly once, never twice", async () => {
    await using h = await startHarness();
    const poison = await h.bus.publish(eventOf("pass.issued"));
    let broken = true;
    const { sub, handled } = await checkpoint(
      h,
      () => poison.id,
      () => broken,
    );
    await waitFor("the dead letter", async () => (await h.bus.deadLetters.list()).length === 1);

    const [letter] = await h.bus.deadLetters.list({ consumer: "suzhou-checkpoint" });
    expect(letter).toMatchObject({
      consumer: "suzhou-checkpoint",
      seq: poison.seq,
      reason: "handler-failed",
    });
    expect(letter?.redriven).toBeUndefined();
    expect(await h.bus.deadLetters.show(letter?.dlqSeq ?? 0)).toEqual(letter);

    broken = false;
    expect(await h.bus.deadLetters.redrive({ dlqSeq: letter?.dlqSeq as number })).toEqual({
      redriven: 1,
      skipped: 0,
    });
    await waitFor("the re-driven event", () => handled.some((x) => x.id === poison.id));
    // The handler sees the original delivery: its stream position and when it was first stored.
    expect(handled.find((x) => x.id === poison.id)?.delivery).toMatchObject({
      seq: poison.seq,
      subject: poison.subject,
    });

    expect(await h.bus.deadLetters.redrive({ consumer: "suzhou-checkpoint" })).toEqual({
      redriven: 0,
      skipped: 1,
    });
    expect((await h.bus.deadLetters.show(letter?.dlqSeq ?? 0))?.redriven?.at).toEqual(expect.any(String));
    const after = await h.bus.publish(eventOf("pass.issued"));
    await waitFor("a later event", () => handled.some((x) => x.id === after.id));
    await sub.stop();
    expect(handled.filter((x) => x.id === poison.id)).toHaveLength(1);
  });

  it("dead-letters a re-driven message that fails again, and lets it be re-driven again", async () => {
    await using h = await startHarness();
    const poison = await h.bus.publish(eventOf("pass.issued"));
    let broken = true;
    const { sub, handled } = await checkpoint(
      h,
      () => poison.id,
      () => broken,
    );
    await waitFor("the dead letter", async () => (await h.bus.deadLetters.list()).length === 1);
    await h.bus.deadLetters.redrive({ all: true });
    await waitFor("the second dead letter", async () => (await h.bus.deadLetters.list()).length === 2);

    broken = false;
    expect(await h.bus.deadLetters.redrive({ reason: "handler-failed" })).toEqual({
      redriven: 1,
      skipped: 1,
    });
    await waitFor("the re-driven event", () => handled.some((x) => x.id === poison.id));
    await sub.stop();
    expect(handled.find((x) => x.id === poison.id)?.delivery.seq).toBe(poison.seq);
  });

  it("drops what it is told to, and refuses a selector that selects nothing in particular", async () => {
    await using h = await startHarness();
    const poison = await h.bus.publish(eventOf("pass.issued"));
    const { sub } = await checkpoint(
      h,
      () => poison.id,
      () => true,
    );
    await waitFor("the dead letter", async () => (await h.bus.deadLetters.list()).length === 1);
    await sub.stop();

    await expect(h.bus.deadLetters.drop({})).rejects.toThrow(/dlqSeq, consumer or reason/);
    await expect(h.bus.deadLetters.list({ reason: "bad-luck" })).rejects.toThrow(/reason must be one of/);
    expect(await h.bus.deadLetters.drop({ consumer: "someone-else" })).toEqual({ dropped: 0 });
    expect(await h.bus.deadLetters.drop({ consumer: "suzhou-checkpoint" })).toEqual({ dropped: 1 });
    expect(await h.bus.deadLetters.list()).toEqual([]);
    expect(await h.bus.deadLetters.show(1)).toBeNull();
  });

  it("reports every stream with its size and its consumers' backlogs", async () => {
    await using h = await startHarness();
    await h.bus.publish(eventOf("pass.issued"));
    let handled = false;
    const sub = await h.bus.subscribe({
      city: "suzhou",
      service: "report",
      handler: async () => {
        handled = true;
      },
    });
    // A stop hands back what was not handled yet (it would still be pending): let it be handled first.
    await waitFor("the event handled", () => handled);
    await sub.stop();
    const report = await h.bus.streamsReport();
    const events = report.find((s) => s.name === "EVENTS");
    expect(events).toMatchObject({ messages: 1, lastSeq: 1, sources: [] });
    expect(events?.consumers.find((c) => c.name === "suzhou-report")).toMatchObject({
      numPending: 0,
      numAckPending: 0,
      durable: true,
    });
    expect(report.map((s) => s.name)).toEqual(expect.arrayContaining(["DEADLETTER", "REDRIVE", "RECEIPTS"]));
  });
});
