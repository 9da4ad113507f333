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

  it("of two concurrent appends to one case, exactly one wins", async () => {
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
    expect(lost[0]?.status === "rejected" && lost[0].reason).toBeInstanceOf(ConcurrencyConflictError);
  });
});
