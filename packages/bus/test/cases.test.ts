import { ConcurrencyConflictError, NotFoundError, PermissionDeniedError } from "@tongbao/bus";
import { eventOf, uniqueKey } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { startHarness } from "./support.ts";

// 首接负责制: the city that reports a case owns it; only the owner appends; a transfer moves it.
describe("case ownership", () => {
  it("refuses a city appending to a case another city owns", async () => {
    await using h = await startHarness();
    const caseId = uniqueKey("HZ");
    await h.bus.publish(eventOf("case.reported", { subject: caseId, origin: "hangzhou" }));
    const intruder = eventOf("case.closed", { subject: caseId, origin: "suzhou" });
    await expect(h.bus.publish(intruder)).rejects.toThrow(PermissionDeniedError);
    await expect(h.bus.publish(intruder)).rejects.toThrow(/owned by hangzhou/);
    await expect(
      h.bus.publish(eventOf("case.closed", { subject: caseId, origin: "hangzhou" })),
    ).resolves.toMatchObject({
      duplicate: false,
    });
  });

  it("moves ownership only by case.transferred", async () => {
    await using h = await startHarness();
    const caseId = uniqueKey("HZ");
    await h.bus.publish(eventOf("case.reported", { subject: caseId, origin: "hangzhou" }));
    await h.bus.publish(
      eventOf("case.transferred", { subject: caseId, origin: "hangzhou", data: { newOwner: "shaoxing" } }),
    );
    const reclassify = (origin: string) =>
      eventOf("case.reclassified", { subject: caseId, origin, data: { from: "suspected", to: "confirmed" } });
    await expect(h.bus.publish(reclassify("hangzhou"))).rejects.toThrow(/owned by shaoxing/);
    await expect(h.bus.publish(reclassify("shaoxing"))).resolves.toMatchObject({ duplicate: false });
  });

  it("refuses a second report of the same case, and an append to a case never reported", async () => {
    await using h = await startHarness();
    const caseId = uniqueKey("HZ");
    await h.bus.publish(eventOf("case.reported", { subject: caseId, origin: "hangzhou" }));
    await expect(
      h.bus.publish(eventOf("case.reported", { subject: caseId, origin: "suzhou" })),
    ).rejects.toThrow(ConcurrencyConflictError);
    await expect(h.bus.publish(eventOf("case.closed", { subject: uniqueKey("none") }))).rejects.toThrow(
      NotFoundError,
    );
  });

  it("lets the owner's retry of the same event through, stored once", async () => {
    await using h = await startHarness();
    const report = { ...eventOf("case.reported"), id: "0190c3a0-0000-7000-8000-0000000ca5e1" };
    const first = await h.bus.publish(report);
    await expect(h.bus.publish(report)).resolves.toMatchObject({ seq: first.seq, duplicate: true });
  });

  it("of two concurrent transfers of one case exactly one wins; the other is decided again and refused", async () => {
    await using h = await startHarness();
    const caseId = uniqueKey("HZ");
    await h.bus.publish(eventOf("case.reported", { subject: caseId, origin: "hangzhou" }));
    const other = await h.connect("second-case-system");
    const results = await Promise.allSettled([
      h.bus.publish(eventOf("case.transferred", { subject: caseId, data: { newOwner: "shaoxing" } })),
      other.publish(eventOf("case.transferred", { subject: caseId, data: { newOwner: "suzhou" } })),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost[0]?.status === "rejected" && lost[0].reason).toBeInstanceOf(PermissionDeniedError);
    expect(lost[0]?.status === "rejected" && String(lost[0].reason)).toMatch(/owned by (shaoxing|suzhou)/);
  });

  it("serialises the owner's concurrent appends in the stream: all stored, none lost", async () => {
    await using h = await startHarness();
    const caseId = uniqueKey("HZ");
    await h.bus.publish(eventOf("case.reported", { subject: caseId, origin: "hangzhou" }));
    const systems = await Promise.all([h.connect("a"), h.connect("b"), h.connect("c")]);
    const appends = systems.flatMap((bus) =>
      Array.from({ length: 3 }, () =>
        bus.publish(
          eventOf("case.reclassified", {
            subject: caseId,
            origin: "hangzhou",
            data: { from: "suspected", to: "confirmed" },
          }),
        ),
      ),
    );
    const stored = await Promise.all(appends);
    expect(new Set(stored.map((p) => p.seq)).size).toBe(9);
  });

  it("keeps no ledger of its own: JetStream refuses an append that expects a stale case", async () => {
    await using h = await startHarness();
    const caseId = uniqueKey("HZ");
    const report = await h.bus.publish(eventOf("case.reported", { subject: caseId, origin: "hangzhou" }));
    await h.bus.publish(eventOf("case.closed", { subject: caseId, origin: "hangzhou" }));
    // What an append expects: nothing on any subject of the case after what it read.
    const stale = h.bus.connection.js.publish(`evt.hangzhou.case.closed.${caseId}`, "{}", {
      expect: { lastSubjectSequence: report.seq, lastSubjectSequenceSubject: `evt.*.case.*.${caseId}` },
    });
    await expect(stale).rejects.toThrow(/wrong last sequence/);
    const buckets = await h.bus.connection.jsm.streams.names().next();
    expect(buckets).not.toContain("KV_case-owners");
  });
});
