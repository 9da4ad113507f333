import { describe, expect, it } from "vitest";
import { createTurnQueue } from "../src/turn.ts";

describe("work queued during one event-loop turn", () => {
  it("starts together at the turn's end, in order, each caller getting its own result or error", async () => {
    const atTurnEnd = createTurnQueue();
    const started: string[] = [];
    const results = [
      atTurnEnd(() => {
        started.push("a");
        return 1;
      }),
      atTurnEnd(async () => {
        started.push("b");
        throw new Error("b failed");
      }),
      atTurnEnd(() => {
        started.push("c");
        throw new Error("c failed");
      }),
    ];
    await Promise.resolve();
    expect(started).toEqual([]);
    const settled = await Promise.allSettled(results);
    expect(started).toEqual(["a", "b", "c"]);
    expect(settled.map((s) => (s.status === "fulfilled" ? s.value : (s.reason as Error).message))).toEqual([
      1,
      "b failed",
      "c failed",
    ]);
    // A later turn queues anew.
    await expect(atTurnEnd(() => "again")).resolves.toBe("again");
  });
});
