import { connectBus, type ReplayedEvent, type ReplayQuery } from "@tongbao/bus";
import { eventOf, startCluster } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.ts";

const collect = async (h: Pick<Harness, "bus">, query: ReplayQuery) => {
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
    await h.bus.publish(eventOf("pass.issued"));
    await h.bus.publish(eventOf("pass.issued", { status: "exercise" }));
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

  it("on a 3-node cluster ends at what the leader held, promptly, filtered or not, on any replica", async () => {
    await using cluster = await startCluster({ size: 3 });
    await using bus = await connectBus({
      servers: cluster.urls,
      name: "replay-cluster",
      apiTimeoutMs: 20_000,
      topology: { replicas: 3 },
    });
    const pass = (origin: string) => eventOf("pass.issued", { origin, source: undefined });
    await bus.publishBatch(Array.from({ length: 200 }, () => pass("hangzhou")));
    // Suzhou's come last: a replay of Hangzhou alone has nothing to read in the log's tail.
    await bus.publishBatch(Array.from({ length: 20 }, () => pass("suzhou")));
    const timed = async (query: ReplayQuery) => {
      const started = Date.now();
      const count = (await collect({ bus }, query)).length;
      return { count, ms: Date.now() - started };
    };
    // Each replay's consumer lands on any of the three replicas: several of each kind.
    const runs = { all: [] as number[], hangzhou: [] as number[], none: [] as number[] };
    let slowestMs = 0;
    for (let i = 0; i < 4; i++) {
      for (const [kind, query] of [
        ["all", {}],
        ["hangzhou", { origins: ["hangzhou"] }],
        ["none", { types: ["trace.overdue"] }],
      ] as const) {
        const { count, ms } = await timed(query);
        runs[kind].push(count);
        slowestMs = Math.max(slowestMs, ms);
      }
    }
    process.stdout.write(`replay on a 3-node cluster: ${JSON.stringify({ ...runs, slowestMs })}\n`);
    expect(runs).toEqual({ all: [220, 220, 220, 220], hangzhou: [200, 200, 200, 200], none: [0, 0, 0, 0] });
    // A replica that is current ends a filtered replay at once: no waiting for heartbeats or stalls.
    expect(slowestMs).toBeLessThan(1_000);
  });
});
