import type { ReplayedEvent, ReplayQuery } from "@tongbao/bus";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.ts";

const collect = async (h: Harness, query: ReplayQuery) => {
  const out: ReplayedEvent[] = [];
  for await (const replayed of h.bus.replay(query)) out.push(replayed);
  return out;
};

const day = (d: number) => `2020-02-${String(d).padStart(2, "0")}T08:00:00+08:00`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("replay", () => {
  it("by event time returns exactly the events inside the window", async () => {
    await using h = await startHarness();
    for (let d = 1; d <= 10; d++) await h.bus.publish(eventOf("policy.changed", { time: day(d) }));
    const inside = await collect(h, { since: day(3), until: day(7) });
    expect(inside.map((r) => r.event.time)).toEqual([day(3), day(4), day(5), day(6)]);
  });

  it("by recorded time returns exactly what was stored inside the window", async () => {
    await using h = await startHarness();
    const publishSome = async (n: number) => {
      const ids: string[] = [];
      for (let i = 0; i < n; i++) ids.push((await h.bus.publish(eventOf("supply.offered"))).id);
      await sleep(30);
      return ids;
    };
    await publishSome(3);
    const from = new Date();
    await sleep(30);
    const during = await publishSome(4);
    const until = new Date();
    await sleep(30);
    await publishSome(2);
    const inside = await collect(h, { recordedSince: from, recordedUntil: until });
    expect(inside.map((r) => r.event.id)).toEqual(during);
  });

  it("by sequence range, origins, types and key", async () => {
    await using h = await startHarness();
    const published = [];
    for (const origin of ["hangzhou", "suzhou", "jiaxing", "hangzhou", "suzhou", "jiaxing"]) {
      published.push(await h.bus.publish(eventOf("supply.requested", { origin })));
    }
    const pass = await h.bus.publish(eventOf("pass.issued"));
    expect((await collect(h, { fromSeq: 2, toSeq: 4 })).map((r) => r.seq)).toEqual([2, 3, 4]);
    const twoCities = await collect(h, {
      origins: ["hangzhou", "jiaxing"],
      types: ["supply.requested", "pass.issued"],
    });
    expect(twoCities.map((r) => r.event.origin)).toEqual(["hangzhou", "jiaxing", "hangzhou", "jiaxing"]);
    const one = await collect(h, { key: pass.subject.split(".").at(-1) as string });
    expect(one.map((r) => r.event.id)).toEqual([pass.id]);
    expect(await collect(h, { types: ["trace.overdue"] })).toEqual([]);
  });

  it("gives a stored version-1 event back in the version-2 shape", async () => {
    await using h = await startHarness();
    await h.bus.publish({
      type: "risk.changed",
      dataversion: 1,
      origin: "hangzhou",
      subject: "hangzhou-xiaoshan",
      data: { level: "medium-2", effectiveFrom: day(10), measures: "closed management; temperature checks" },
    });
    const [replayed] = await collect(h, { types: ["risk.changed"] });
    expect(replayed?.event.dataversion).toBe(2);
    expect(replayed?.event.data).toEqual({
      level: "medium-2",
      effectiveFrom: day(10),
      measures: ["closed management", "temperature checks"],
    });
  });

  it("keeps drills apart: a status filter leaves exercise traffic out", async () => {
    await using h = await startHarness();
    await h.bus.publish(eventOf("pass.revoked"));
    await h.bus.publish(eventOf("pass.revoked", { status: "exercise" }));
    const actual = await collect(h, { statuses: ["actual"] });
    expect(actual.map((r) => r.event.status)).toEqual(["actual"]);
  });

  it("replays a city's directed messages only with its audience", async () => {
    await using h = await startHarness();
    await h.bus.publish(eventOf("trace.requested"));
    await h.bus.publish(eventOf("person.pushed"));
    expect((await collect(h, { stream: "direct", audience: "shaoxing" })).map((r) => r.event.type)).toEqual([
      "trace.requested",
    ]);
    await expect(collect(h, { stream: "direct" })).rejects.toThrow(/audience/);
  });
});
