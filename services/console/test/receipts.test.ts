import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { signIn, startConsole, waitFor } from "./support.ts";

interface ReceiptsAnswer {
  receipts: {
    notice: string;
    dueAt: string;
    expected: string[];
    acknowledged: { city: string; at: string }[];
    pending: string[];
    overdue: string[];
  }[];
}

describe("receipts of notices", () => {
  it("tells who acknowledged and when, who is pending, and (past the deadline) who is overdue", async () => {
    await using h = await startConsole({ acknowledgeWithinSeconds: 1 });
    const operator = await signIn(h.url);
    const broadcast = await h.bus.publish(eventOf("case.reported", { origin: "hangzhou" }));
    const directed = await h.bus.publish(
      eventOf("trace.requested", { origin: "hangzhou", data: { targetCity: "suzhou" } }),
    );
    await h.bus.recordReceipt({
      notice: { origin: "hangzhou", id: broadcast.id },
      receiver: "suzhou",
      at: "2020-02-11T09:00:05+08:00",
    });
    const ask = async () =>
      (await (
        await operator.fetch(`/api/receipts?notices=hangzhou.${broadcast.id},hangzhou.${directed.id}`)
      ).json()) as ReceiptsAnswer;

    // The notices are found through the read models: wait until both are indexed.
    const first = await waitFor("both notices indexed", async () => {
      const answer = await ask();
      return answer.receipts.length === 2 && answer;
    });
    expect(first.receipts[0]).toMatchObject({
      notice: `hangzhou.${broadcast.id}`,
      expected: ["shaoxing", "suzhou"],
      acknowledged: [{ city: "suzhou", at: "2020-02-11T09:00:05+08:00" }],
      pending: ["shaoxing"],
    });
    expect(first.receipts[1]).toMatchObject({ expected: ["suzhou"], acknowledged: [], pending: ["suzhou"] });

    const late = await waitFor("the deadline to pass", async () => {
      const answer = await ask();
      return answer.receipts.every((r) => r.overdue.length === 1) && answer;
    });
    expect(late.receipts[0]?.overdue).toEqual(["shaoxing"]);
    expect(late.receipts[1]?.overdue).toEqual(["suzhou"]);
    expect(Date.parse(late.receipts[0]?.dueAt ?? "")).toBeLessThan(Date.now());

    await h.bus.recordReceipt({ notice: { origin: "hangzhou", id: broadcast.id }, receiver: "shaoxing" });
    const done = await ask();
    expect(done.receipts[0]).toMatchObject({ pending: [], overdue: [] });
    expect(done.receipts[0]?.acknowledged.map((a) => a.city)).toEqual(["shaoxing", "suzhou"]);
  });

  it("names what is wrong with the list of notices", async () => {
    await using h = await startConsole();
    const operator = await signIn(h.url);
    const bad = await operator.fetch("/api/receipts?notices=hangzhou.ok,not%20a%20notice");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: "invalid query parameters",
      issues: [{ path: "notices.1", message: "each notice is <origin>.<event id>" }],
    });
    expect((await operator.fetch("/api/receipts")).status).toBe(400);
  });
});
