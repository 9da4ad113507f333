import type { Subscription } from "@tongbao/bus";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { type Harness, signIn, startConsole, waitFor } from "./support.ts";

interface LetterView {
  dlqSeq: number;
  consumer: string;
  reason: string;
  directed: boolean;
  event: { id: string; type: string; origin: string } | null;
  redriven?: { at: string };
  payload?: unknown;
  data?: unknown;
}

/** A checkpoint system that rejects everything while `broken`: what it handled, by event id. */
const checkpoint = async (h: Harness, stream: "events" | "direct", broken: () => boolean) => {
  const handled: string[] = [];
  const sub: Subscription = await h.bus.subscribe({
    city: "suzhou",
    service: `checkpoint-${stream}`,
    stream,
    maxAttempts: 2,
    backoffMs: [20],
    handler: async (event) => {
      if (broken()) throw new Error("checkpoint system is down");
      handled.push(event.id);
    },
  });
  return { sub, handled };
};

describe("dead letters in the console", () => {
  it("lists a dead letter, re-drives it once, and a second re-drive skips it", async () => {
    await using h = await startConsole();
    const operator = await signIn(h.url);
    let broken = true;
    const { sub, handled } = await checkpoint(h, "events", () => broken);
    try {
      const poison = await h.bus.publish(eventOf("pass.issued", { origin: "shaoxing" }));
      const list = async () =>
        ((await (await operator.fetch("/api/dead-letters")).json()) as { deadLetters: LetterView[] })
          .deadLetters;
      const [letter] = await waitFor("the dead letter", async () => {
        const letters = await list();
        return letters.length === 1 && letters;
      });
      expect(letter).toMatchObject({
        consumer: "suzhou-checkpoint-events",
        reason: "handler-failed",
        directed: false,
        event: { id: poison.id, type: "pass.issued", origin: "shaoxing" },
      });
      expect(letter).not.toHaveProperty("payload");
      const shown = (await (
        await operator.fetch(`/api/dead-letters/${letter?.dlqSeq}`)
      ).json()) as LetterView;
      expect(shown.data).toMatchObject({ kind: "commuter" });

      broken = false;
      const redrive = () =>
        operator.fetch("/api/dead-letters/redrive", { method: "POST", body: { dlqSeq: letter?.dlqSeq } });
      expect(await (await redrive()).json()).toEqual({ redriven: 1, skipped: 0 });
      await waitFor("the re-driven event", () => handled.includes(poison.id));
      expect(await (await redrive()).json()).toEqual({ redriven: 0, skipped: 1 });
      expect((await list())[0]?.redriven?.at).toEqual(expect.any(String));
      expect(handled.filter((id) => id === poison.id)).toHaveLength(1);

      const dropped = await operator.fetch("/api/dead-letters/drop", {
        method: "POST",
        body: { consumer: "suzhou-checkpoint-events" },
      });
      expect(await dropped.json()).toEqual({ dropped: 1 });
      expect(await list()).toEqual([]);
    } finally {
      await sub.stop();
    }
  });

  it("never shows the data of a directed message, and names a bad selector", async () => {
    await using h = await startConsole();
    const operator = await signIn(h.url);
    const { sub } = await checkpoint(h, "direct", () => true);
    try {
      const trace = await h.bus.publish(
        eventOf("trace.requested", { origin: "hangzhou", data: { targetCity: "suzhou" } }),
      );
      const letter = await waitFor("the dead letter", async () => {
        const { deadLetters } = (await (await operator.fetch("/api/dead-letters")).json()) as {
          deadLetters: LetterView[];
        };
        return deadLetters[0];
      });
      expect(letter).toMatchObject({ directed: true, event: { id: trace.id, type: "trace.requested" } });
      const shown = await (await operator.fetch(`/api/dead-letters/${letter.dlqSeq}`)).text();
      expect(shown).not.toMatch(/contacts|phoneHash|"data"/);

      const bad = await operator.fetch("/api/dead-letters/redrive", {
        method: "POST",
        body: { every: "thing" },
      });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: "invalid selector" });
      expect((await operator.fetch("/api/dead-letters/999")).status).toBe(404);
    } finally {
      await sub.stop();
    }
  });
});
