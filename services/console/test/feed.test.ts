import { eventOf } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, openFeed, operatorTokens, signIn, startConsole, waitFor } from "./support.ts";

let h: Harness;
beforeAll(async () => {
  h = await startConsole({ limits: { feedBacklog: 2 } });
});
afterAll(async () => {
  await h?.[Symbol.asyncDispose]();
});

describe("the live feed", () => {
  it("sends the recent history, then every notice as it is stored, directed ones without their data", async () => {
    const old = await h.bus.publish(eventOf("supply.requested", { origin: "suzhou" }));
    const recent = await Promise.all(
      ["hangzhou", "shaoxing"].map((origin) => h.bus.publish(eventOf("case.reported", { origin }))),
    );
    const operator = await signIn(h.url);
    const feed = await openFeed(h.url, { cookie: operator.cookie });
    expect(feed.response.headers["content-type"]).toMatch(/^text\/event-stream/);
    try {
      await waitFor("the history", () => feed.notices.length >= 2);
      expect(feed.notices.map((n) => n.id).sort()).toEqual(recent.map((r) => r.id).sort());
      expect(feed.notices.some((n) => n.id === old.id)).toBe(false);

      const drill = await h.bus.publish(eventOf("risk.changed", { origin: "suzhou", status: "exercise" }));
      const trace = await h.bus.publish(
        eventOf("trace.requested", { origin: "hangzhou", data: { targetCity: "shaoxing" } }),
      );
      await waitFor("the live notices", () => feed.notices.length >= 4);
      expect(feed.notices.find((n) => n.id === drill.id)).toMatchObject({
        ref: `events-${drill.seq}`,
        type: "risk.changed",
        origin: "suzhou",
        status: "exercise",
        expected: ["hangzhou", "shaoxing"],
        summary: expect.stringContaining("level: low-1"),
      });
      const directed = feed.notices.find((n) => n.id === trace.id);
      expect(directed).toMatchObject({
        ref: `direct-${trace.seq}`,
        origin: "hangzhou",
        audience: "shaoxing",
        expected: ["shaoxing"],
      });
      expect(directed).not.toHaveProperty("summary");
      expect(JSON.stringify(directed)).not.toMatch(/contacts|phoneHash|pseudonym/);
      await waitFor("a heartbeat", () => feed.comments.includes("heartbeat"));
    } finally {
      await feed.close();
    }
  });

  it("is open to an operator's bearer token too, and ends when the console closes", async () => {
    const other = await startConsole();
    try {
      const feed = await openFeed(other.url, { authorization: `Bearer ${operatorTokens.bo}` });
      await waitFor("the feed to open", () => feed.comments.includes("connected"));
      const ended = new Promise<void>((resolve) => feed.response.once("close", resolve));
      await other.app.close();
      await ended;
    } finally {
      await other[Symbol.asyncDispose]();
    }
  });
});
