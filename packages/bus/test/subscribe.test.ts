import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AckPolicy, jetstream } from "@nats-io/jetstream";
import { type DeadLetter, deadLetterSubject, Streams } from "@tongbao/bus";
import type { TongbaoEvent } from "@tongbao/events";
import { eventOf, uniqueKey } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { type Harness, startHarness, waitFor } from "./support.ts";

const deadLetterAt = async (h: Harness, consumer: string, seq: number): Promise<DeadLetter | null> => {
  const stored = await h.bus.connection.jsm.direct.getMessage(Streams.deadLetters, {
    last_by_subj: deadLetterSubject(consumer, Streams.events, seq),
  });
  return stored === null ? null : stored.json<DeadLetter>();
};

describe("subscribe", () => {
  it("hands every event to the handler once, each aggregate in order", async () => {
    await using h = await startHarness();
    const seen: TongbaoEvent[] = [];
    const sub = await h.bus.subscribe({
      city: "suzhou",
      service: "orders",
      concurrency: 8,
      handler: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5));
        seen.push(event);
      },
    });
    const keys = ["hangzhou-xiaoshan", "hangzhou-fuyang", "hangzhou-tonglu"];
    const levels = ["high", "medium-1", "medium-2", "low-1"] as const;
    for (const level of levels) {
      for (const subject of keys) await h.bus.publish(eventOf("risk.changed", { subject, data: { level } }));
    }
    await waitFor("all 12 events", () => seen.length === 12);
    await sub.stop();
    for (const key of keys) {
      const order = seen.filter((e) => e.subject === key).map((e) => (e.data as { level: string }).level);
      expect(order).toEqual([...levels]);
    }
  });

  it("sends a poison message to DEADLETTER with its payload after N attempts, and carries on", async () => {
    await using h = await startHarness();
    const poison = await h.bus.publish(eventOf("pass.issued"));
    const fine = await h.bus.publish(eventOf("pass.issued"));
    const handled: string[] = [];
    const attempts: number[] = [];
    const sub = await h.bus.subscribe({
      city: "suzhou",
      service: "checkpoint",
      maxAttempts: 3,
      backoffMs: [50],
      handler: async (event, delivery) => {
        if (event.id === poison.id) {
          attempts.push(delivery.attempt);
          throw new Error("checkpoint system rejected the pass");
        }
        handled.push(event.id);
      },
    });
    await waitFor(
      "the dead letter",
      async () => (await deadLetterAt(h, "suzhou-checkpoint", poison.seq)) !== null,
    );
    const after = await h.bus.publish(eventOf("pass.issued"));
    await waitFor("the events after it", () => handled.includes(after.id));
    await sub.stop();

    const letter = await deadLetterAt(h, "suzhou-checkpoint", poison.seq);
    expect(attempts).toEqual([1, 2, 3]);
    expect(letter).toMatchObject({
      reason: "handler-failed",
      attempts: 3,
      stream: "EVENTS",
      seq: poison.seq,
    });
    expect(letter?.error).toBe("Error: checkpoint system rejected the pass");
    expect(JSON.parse(letter?.payload ?? "{}").id).toBe(poison.id);
    expect(handled).toEqual([fine.id, after.id]);
  });

  it("dead-letters an unreadable message at once, without retrying", async () => {
    await using h = await startHarness();
    const ack = await h.bus.connection.js.publish("evt.hangzhou.case.reported.X1", "{not json");
    const sub = await h.bus.subscribe({ city: "suzhou", service: "health", handler: async () => {} });
    await waitFor("the dead letter", async () => (await deadLetterAt(h, "suzhou-health", ack.seq)) !== null);
    await sub.stop();
    expect(await deadLetterAt(h, "suzhou-health", ack.seq)).toMatchObject({
      reason: "undecodable",
      attempts: 1,
    });
  });

  it("handles an event stored twice (outside the duplicate window) once", async () => {
    await using h = await startHarness();
    const key = uniqueKey("released");
    const published = await h.bus.publish(eventOf("isolation.released", { subject: key }));
    const stored = await h.bus.connection.jsm.streams.getMessage(Streams.events, { seq: published.seq });
    await h.bus.connection.js.publish(published.subject, stored?.data ?? "", { msgID: "a-later-resend" });
    // The marker is of the same aggregate: only then does the subscriber promise to hand it on after
    // the repeat (different aggregates run in parallel, in whatever order their look-ups finish).
    const marker = await h.bus.publish(eventOf("isolation.released", { subject: key }));
    const seen: string[] = [];
    const sub = await h.bus.subscribe({
      city: "jiaxing",
      service: "community",
      handler: async (event) => {
        seen.push(event.id);
      },
    });
    await waitFor("the marker", () => seen.includes(marker.id));
    await sub.stop();
    expect(seen).toEqual([published.id, marker.id]);
  });

  it("hands over what is stored now when a stream made again reuses a sequence", async () => {
    await using h = await startHarness();
    const seen: string[] = [];
    const subscribeAs = (service: string) =>
      h.bus.subscribe({ city: "suzhou", service, handler: async (event) => void seen.push(event.id) });
    const first = await h.bus.publish(eventOf("risk.changed"));
    const before = await subscribeAs("before");
    await waitFor("the first event", () => seen.length === 1);
    await before.stop();

    await h.bus.connection.jsm.streams.delete(Streams.events);
    await h.bus.ensureTopology({});
    const second = await h.bus.publish(eventOf("risk.changed"));
    expect(second.seq).toBe(first.seq);
    const after = await subscribeAs("after");
    await waitFor("the second event", () => seen.length === 2);
    await after.stop();
    expect(seen).toEqual([first.id, second.id]);
  });

  it("skips the city's own broadcasts when asked, and reads only its own directed messages", async () => {
    await using h = await startHarness();
    await h.bus.publish(eventOf("pass.issued", { origin: "suzhou" }));
    const theirs = await h.bus.publish(eventOf("pass.issued", { origin: "shanghai" }));
    const forUs = await h.bus.publish(eventOf("trace.requested", { data: { targetCity: "suzhou" } }));
    await h.bus.publish(eventOf("trace.requested", { data: { targetCity: "jiaxing" } }));
    const seen: string[] = [];
    const handler = async (event: TongbaoEvent) => {
      seen.push(event.id);
    };
    const broadcasts = await h.bus.subscribe({ city: "suzhou", service: "relay", skipOwn: true, handler });
    const directed = await h.bus.subscribe({ city: "suzhou", service: "relay", stream: "direct", handler });
    await waitFor("both", () => seen.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await broadcasts.stop();
    await directed.stop();
    expect(seen.sort()).toEqual([theirs.id, forUs.id].sort());
  });

  it("finishes in-flight work before a graceful stop resolves", async () => {
    await using h = await startHarness();
    await h.bus.publish(eventOf("policy.changed"));
    let finished = false;
    let started = false;
    const sub = await h.bus.subscribe({
      city: "shanghai",
      service: "command-centre",
      handler: async () => {
        started = true;
        await new Promise((resolve) => setTimeout(resolve, 500));
        finished = true;
      },
    });
    await waitFor("the handler to start", () => started);
    await sub.stop();
    expect(finished).toBe(true);
    const info = await h.bus.connection.jsm.consumers.info(Streams.events, "shanghai-command-centre");
    expect(info.num_ack_pending).toBe(0);
    expect(info.ack_floor.stream_seq).toBe(1);
  });

  it("loses nothing when a subscriber is killed -9 in the middle of a batch and restarted", async () => {
    await using h = await startHarness();
    const dir = await mkdtemp(join(tmpdir(), "tongbao-kill-"));
    const output = join(dir, "handled.txt");
    const outcomes = await h.bus.publishMany(Array.from({ length: 300 }, () => eventOf("supply.offered")));
    const ids = outcomes.map((o) => (o.ok ? o.published.id : ""));
    const handledIds = async () =>
      (await readFile(output, "utf8").catch(() => "")).split("\n").filter(Boolean);
    const start = () => {
      const child = spawn(
        process.execPath,
        [join(import.meta.dirname, "fixtures/slow-subscriber.ts"), h.server.url, output],
        {
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      return child;
    };
    try {
      const first = start();
      await waitFor("a part of the batch", async () => (await handledIds()).length >= 60);
      first.kill("SIGKILL");
      await once(first, "exit");
      const handledBeforeKill = new Set(await handledIds()).size;
      expect(handledBeforeKill).toBeLessThan(300);
      const second = start();
      await waitFor("the whole batch", async () => new Set(await handledIds()).size === 300, 30_000);
      second.kill("SIGTERM");
      await once(second, "exit");
      const handled = await handledIds();
      expect(new Set(handled)).toEqual(new Set(ids));
      process.stdout.write(
        `kill -9 test: 300 published, ${handledBeforeKill} handled before the kill, ${handled.length - 300} handled twice, 0 lost\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the dead-letter mover catches messages that reached max deliveries unacknowledged", async () => {
    await using h = await startHarness();
    const mover = await h.bus.startDeadLetterMover();
    const published = await h.bus.publish(eventOf("supply.dispatched"));
    const { jsm } = h.bus.connection;
    // A consumer whose process keeps dying before it can acknowledge: it never acks.
    await jsm.consumers.add(Streams.events, {
      durable_name: "crashing-system",
      ack_policy: AckPolicy.Explicit,
      max_deliver: 2,
      ack_wait: 500_000_000,
    });
    const consumer = await jetstream(h.bus.connection.nc).consumers.get(Streams.events, "crashing-system");
    const messages = await consumer.consume();
    (async () => {
      for await (const _ of messages) {
        // never acknowledged
      }
    })();
    await waitFor(
      "the dead letter",
      async () => (await deadLetterAt(h, "crashing-system", published.seq)) !== null,
    );
    await messages.close();
    await mover.stop();
    const letter = await deadLetterAt(h, "crashing-system", published.seq);
    expect(letter).toMatchObject({ reason: "max-deliveries", attempts: 2 });
    expect(JSON.parse(letter?.payload ?? "{}").id).toBe(published.id);
  });

  it("hands back at once what a stopped subscriber had fetched, so a restart waits for no ack timeout", async () => {
    await using h = await startHarness();
    for (let i = 0; i < 60; i++) await h.bus.publish(eventOf("risk.changed"));
    const handled = new Set<string>();
    const slow = await h.bus.subscribe({
      city: "suzhou",
      service: "restarting",
      concurrency: 2,
      ackWaitMs: 60_000,
      handler: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        handled.add(event.id);
      },
    });
    await waitFor("a few handled", () => handled.size > 5);
    await slow.stop();
    expect(handled.size).toBeLessThan(60);
    const restarted = await h.bus.subscribe({
      city: "suzhou",
      service: "restarting",
      ackWaitMs: 60_000,
      handler: async (event) => {
        handled.add(event.id);
      },
    });
    // Well inside the 60 s ack wait: anything stranded on the wire would only come back after it.
    await waitFor("every event handled after the restart", () => handled.size === 60, 15_000);
    await restarted.stop();
  });
});
