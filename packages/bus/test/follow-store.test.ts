import { ConcurrencyConflictError, type ReplayedEvent } from "@tongbao/bus";
import type { TongbaoEvent } from "@tongbao/events";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { startHarness, waitFor } from "./support.ts";

describe("follow", () => {
  it("reads history from a checkpoint and then the live feed", async () => {
    await using h = await startHarness();
    const first = await h.bus.publish(eventOf("risk.changed"));
    const second = await h.bus.publish(eventOf("risk.changed"));
    const following = await h.bus.follow({ fromSeq: first.seq + 1 });
    const seen: ReplayedEvent[] = [];
    const reading = (async () => {
      for await (const replayed of following) seen.push(replayed);
    })();
    await waitFor("the stored event after the checkpoint", () => seen.length === 1);
    const live = await h.bus.publish(eventOf("pass.issued"));
    await waitFor("the live event", () => seen.length === 2);
    await following.stop();
    await reading;
    expect(seen.map((r) => r.event.id)).toEqual([second.id, live.id]);
    expect(seen[1]?.seq).toBe(live.seq);
  });

  it("reads history while more is stored, then the live feed: every event once, in stream order", async () => {
    await using h = await startHarness();
    await h.bus.publishBatch(Array.from({ length: 300 }, () => eventOf("pass.issued")));
    const writing = h.bus.publishMany(
      Array.from({ length: 300 }, () => eventOf("pass.issued")),
      { window: 4 },
    );
    const following = await h.bus.follow({ fromSeq: 1 });
    const seqs: number[] = [];
    for await (const { seq } of following) {
      seqs.push(seq);
      if (seqs.length === 600) break;
    }
    await following.stop();
    await writing;
    expect(seqs).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
  });

  it("from now on skips what was stored before", async () => {
    await using h = await startHarness();
    await h.bus.publish(eventOf("risk.changed"));
    const following = await h.bus.follow({ from: "now", types: ["pass.issued"] });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const { event } of following) seen.push(event.type);
    })();
    await h.bus.publish(eventOf("risk.changed"));
    const pass = await h.bus.publish(eventOf("pass.issued"));
    await waitFor("the pass", () => seen.length === 1);
    await following.stop();
    await reading;
    expect(seen).toEqual(["pass.issued"]);
    expect(pass.duplicate).toBe(false);
  });
});

describe("lastEvent", () => {
  it("finds a trace request's answer on its directed subject, and null before it exists", async () => {
    await using h = await startHarness();
    const request = await h.bus.publish(eventOf("trace.requested"));
    const key = request.subject.split(".").at(-1) as string;
    const answerAt = { origin: "shaoxing", type: "trace.answered", key, audience: "hangzhou" };
    expect(await h.bus.lastEvent(answerAt)).toBeNull();
    const answer = await h.bus.publish(eventOf("trace.answered", { subject: key }));
    const found = await h.bus.lastEvent(answerAt);
    expect(found?.event.id).toBe(answer.id);
    expect(found?.seq).toBe(answer.seq);
  });
});

describe("subscribe", () => {
  it("redelivers a deferred event after the pause without dead-lettering it", async () => {
    await using h = await startHarness();
    const published = await h.bus.publish(eventOf("policy.changed"));
    const attempts: number[] = [];
    let recordedAt: Date | undefined;
    const sub = await h.bus.subscribe({
      city: "suzhou",
      service: "deferring",
      maxAttempts: 3,
      handler: async (_event, delivery) => {
        attempts.push(delivery.attempt);
        recordedAt = delivery.recordedAt;
        return delivery.attempt < 2 ? { retryInMs: 100 } : undefined;
      },
    });
    await waitFor("the second delivery", () => attempts.length === 2);
    await sub.stop();
    expect(attempts).toEqual([1, 2]);
    expect(Math.abs((recordedAt?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(published.seq).toBe(1);
  });

  it("reads every city's directed messages with the audience *", async () => {
    await using h = await startHarness();
    await h.bus.publish(eventOf("trace.requested"));
    await h.bus.publish(eventOf("person.pushed"));
    const seen: TongbaoEvent[] = [];
    const sub = await h.bus.subscribe({
      city: "metro",
      service: "traces",
      stream: "direct",
      audience: "*",
      filter: { type: "trace.requested" },
      handler: async (event) => {
        seen.push(event);
      },
    });
    await waitFor("the trace request", () => seen.length === 1);
    await sub.stop();
    expect(seen.map((e) => [e.type, e.audience])).toEqual([["trace.requested", "shaoxing"]]);
  });
});

describe("openStore", () => {
  it("keeps JSON values and refuses a compare-and-set on a stale revision", async () => {
    await using h = await startHarness();
    const store = await h.bus.openStore<{ level: string }>("risk-test");
    const created = await store.update("hangzhou-xiaoshan", { level: "high" }, 0);
    await expect(store.update("hangzhou-xiaoshan", { level: "low-1" }, 0)).rejects.toBeInstanceOf(
      ConcurrencyConflictError,
    );
    await store.update("hangzhou-xiaoshan", { level: "medium-1" }, created);
    await expect(store.update("hangzhou-xiaoshan", { level: "low-1" }, created)).rejects.toBeInstanceOf(
      ConcurrencyConflictError,
    );
    expect((await store.get("hangzhou-xiaoshan"))?.value).toEqual({ level: "medium-1" });
    const keys: string[] = [];
    for await (const key of store.keys()) keys.push(key);
    expect(keys).toEqual(["hangzhou-xiaoshan"]);
    await expect(store.get("a key")).rejects.toBeInstanceOf(TypeError);
  });

  it("writes many values in atomic batches of 1,000, each readable and comparable afterwards", async () => {
    await using h = await startHarness();
    const store = await h.bus.openStore<{ n: number }>("notices-test");
    const entries = Array.from({ length: 2_500 }, (_, i) => [`n.${i}`, { n: i }] as const);
    await store.putMany(entries);
    const { state, config } = await h.bus.connection.jsm.streams.info("KV_notices-test");
    expect(config.allow_atomic).toBe(true);
    expect(state.messages).toBe(2_500);
    expect((await store.get("n.0"))?.value).toEqual({ n: 0 });
    const last = await store.get("n.2499");
    expect(last?.value).toEqual({ n: 2_499 });
    await store.update("n.2499", { n: -1 }, last?.revision ?? 0);
    expect((await store.get("n.2499"))?.value).toEqual({ n: -1 });
    await expect(store.putMany([["a key", { n: 1 }]])).rejects.toBeInstanceOf(TypeError);
  });
});
