import {
  BatchRefusal,
  BatchRefusedError,
  EventValidationError,
  PermissionDeniedError,
  Streams,
} from "@tongbao/bus";
import { prepareEvent } from "@tongbao/events";
import { eventOf, uniqueKey } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support.ts";

const stored = async (h: Harness) => (await h.bus.connection.jsm.streams.info(Streams.events)).state.messages;

describe("publishBatch: all of it or none", () => {
  it("stores the events one after another and says where", async () => {
    await using h = await startHarness();
    const published = await h.bus.publishBatch([
      eventOf("pass.issued"),
      eventOf("risk.changed"),
      eventOf("pass.issued"),
    ]);
    expect(published.map((p) => p.seq)).toEqual([1, 2, 3]);
    expect(published.every((p) => p.stream === Streams.events && !p.duplicate)).toBe(true);
  });

  it("stores nothing when one event is invalid, and names it", async () => {
    await using h = await startHarness();
    const batch = [
      eventOf("pass.issued"),
      eventOf("pass.issued"),
      eventOf("supply.requested", { data: { quantity: -1 } }),
    ];
    await expect(h.bus.publishBatch(batch)).rejects.toThrow(EventValidationError);
    await expect(h.bus.publishBatch(batch)).rejects.toThrow(/\[2\]\.data\.quantity/);
    expect(await stored(h)).toBe(0);
  });

  it("stores nothing when a decider refuses one event, decided against the events before it in the batch", async () => {
    await using h = await startHarness();
    const caseId = uniqueKey("HZ");
    const report = eventOf("case.reported", { subject: caseId, origin: "hangzhou" });
    const byOwner = eventOf("case.closed", { subject: caseId, origin: "hangzhou" });
    const byOther = eventOf("case.closed", { subject: caseId, origin: "suzhou" });
    const refused = h.bus.publishBatch([eventOf("pass.issued"), report, byOther]);
    await expect(refused).rejects.toThrow(PermissionDeniedError);
    await expect(h.bus.publishBatch([eventOf("pass.issued"), report, byOther])).rejects.toThrow(
      /event \[2\]: case .* is owned by hangzhou/,
    );
    expect(await stored(h)).toBe(0);
    await expect(h.bus.publishBatch([report, byOwner])).resolves.toHaveLength(2);
  });

  it("answers a repeated batch as stored before, storing it once", async () => {
    await using h = await startHarness();
    // A city system that retries sends the same event ids again.
    const batch = [eventOf("pass.issued"), eventOf("case.reported"), eventOf("risk.changed")].map(
      prepareEvent,
    );
    const first = await h.bus.publishBatch(batch);
    const again = await h.bus.publishBatch(batch);
    expect(again.map((p) => [p.seq, p.duplicate])).toEqual(first.map((p) => [p.seq, true]));
    expect(await stored(h)).toBe(3);
  });

  it("refuses a batch that repeats some events stored before, naming them", async () => {
    await using h = await startHarness();
    const [a, b] = [prepareEvent(eventOf("pass.issued")), prepareEvent(eventOf("pass.issued"))];
    await h.bus.publishBatch([a]);
    const refused = h.bus.publishBatch([b, a]);
    await expect(refused).rejects.toThrow(BatchRefusedError);
    await expect(h.bus.publishBatch([b, a])).rejects.toThrow(/events \[1\] were stored before/);
    await expect(h.bus.publishBatch([b, a])).rejects.toMatchObject({ refusal: BatchRefusal.storedBefore });
    expect(await stored(h)).toBe(1);
  });

  it("refuses an id used twice in the batch, broadcasts mixed with directed messages, and more than 1,000", async () => {
    await using h = await startHarness();
    const id = "0190c3a0-0000-7000-8000-00000000ba7c";
    const twice = [
      { ...eventOf("pass.issued"), id },
      { ...eventOf("pass.issued"), id },
    ];
    await expect(h.bus.publishBatch(twice)).rejects.toThrow(/\[1\]\.id: repeats the id of event \[0\]/);
    await expect(
      h.bus.publishBatch([eventOf("pass.issued"), eventOf("trace.requested")]),
    ).rejects.toMatchObject({
      refusal: BatchRefusal.mixedStreams,
    });
    const tooMany = Array.from({ length: 1_001 }, () => eventOf("pass.issued"));
    await expect(h.bus.publishBatch(tooMany)).rejects.toMatchObject({ refusal: BatchRefusal.tooLarge });
    expect(await stored(h)).toBe(0);
  });

  it("stores 1,000 directed messages as one batch", async () => {
    await using h = await startHarness();
    const published = await h.bus.publishBatch(
      Array.from({ length: 1_000 }, () => eventOf("trace.requested")),
    );
    expect(published.at(-1)).toMatchObject({ stream: Streams.direct, seq: 1_000 });
  });
});
