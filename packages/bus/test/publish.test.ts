import { ConcurrencyConflictError, EventValidationError, Streams } from "@tongbao/bus";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { startHarness } from "./support.ts";

describe("publish", () => {
  it("resolves with the stream and sequence JetStream stored the event at", async () => {
    await using h = await startHarness();
    const published = await h.bus.publish(eventOf("pass.issued"));
    expect(published).toMatchObject({ stream: Streams.events, seq: 1, duplicate: false });
    expect(published.subject).toMatch(/^evt\.shanghai\.pass\.issued\./);
    const stored = await h.bus.connection.jsm.streams.getMessage(Streams.events, { seq: 1 });
    expect(stored?.json<{ id: string }>().id).toBe(published.id);
  });

  it("stores a repeated event id once and says it was a duplicate", async () => {
    await using h = await startHarness();
    const event = { ...eventOf("case.reported"), id: "0190c3a0-0000-7000-8000-00000000d0b1" };
    const first = await h.bus.publish(event);
    const again = await h.bus.publish(event);
    expect(again).toMatchObject({ seq: first.seq, duplicate: true });
    const info = await h.bus.connection.jsm.streams.info(Streams.events);
    expect(info.state.messages).toBe(1);
  });

  it("refuses an invalid event before anything reaches NATS", async () => {
    await using h = await startHarness();
    const bad = eventOf("supply.requested", { data: { quantity: -1 } });
    await expect(h.bus.publish(bad)).rejects.toThrow(EventValidationError);
    await expect(h.bus.publish(bad)).rejects.toThrow(/data\.quantity/);
    expect((await h.bus.connection.jsm.streams.info(Streams.events)).state.messages).toBe(0);
  });

  it("puts directed messages in DIRECT, where they expire", async () => {
    await using h = await startHarness();
    const published = await h.bus.publish(eventOf("trace.requested"));
    expect(published.stream).toBe(Streams.direct);
    expect(published.subject).toMatch(/^dm\.shaoxing\.hangzhou\.trace\.requested\./);
    expect((await h.bus.connection.jsm.streams.info(Streams.direct)).config.max_age).toBeGreaterThan(0);
  });

  it("enforces the expected last subject sequence", async () => {
    await using h = await startHarness();
    // A type without an aggregate's decider: the caller says what it expects.
    const first = await h.bus.publish(eventOf("supply.offered", { subject: "JX-SUP-OFFER-1" }));
    const next = eventOf("supply.offered", { subject: "JX-SUP-OFFER-1" });
    await expect(h.bus.publish(next, { expectedLastSubjectSequence: 0 })).rejects.toThrow(
      ConcurrencyConflictError,
    );
    await expect(h.bus.publish(next, { expectedLastSubjectSequence: first.seq })).resolves.toMatchObject({
      seq: 2,
    });
  });

  it("publishes many events with a bounded window, one outcome per event in order", async () => {
    await using h = await startHarness();
    const inputs = Array.from({ length: 500 }, (_, i) =>
      i === 7 ? eventOf("pass.issued", { origin: "Not A City" }) : eventOf("pass.issued"),
    );
    const outcomes = await h.bus.publishMany(inputs, { window: 32 });
    expect(outcomes).toHaveLength(500);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(499);
    const failed = outcomes[7];
    expect(failed?.ok).toBe(false);
    expect(failed && !failed.ok && failed.error).toBeInstanceOf(EventValidationError);
    expect((await h.bus.connection.jsm.streams.info(Streams.events)).state.messages).toBe(499);
  });

  it("keeps two cities' events apart even when they use the same event id", async () => {
    await using h = await startHarness();
    const id = "0190c3a0-0000-7000-8000-00000000c0de";
    await h.bus.publish({ ...eventOf("pass.issued"), id });
    const other = await h.bus.publish({ ...eventOf("pass.issued", { origin: "suzhou" }), id });
    expect(other.duplicate).toBe(false);
    expect((await h.bus.connection.jsm.streams.info(Streams.events)).state.messages).toBe(2);
  });
});
