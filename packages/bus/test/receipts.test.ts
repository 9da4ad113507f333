import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { startHarness } from "./support.ts";

describe("receipts", () => {
  it("counts one receipt per city, keeps the first time, and names who is pending", async () => {
    await using h = await startHarness();
    const notice = await h.bus.publish(eventOf("case.reported", { origin: "hangzhou" }));
    const ref = { origin: "hangzhou", id: notice.id };
    const first = await h.bus.recordReceipt({
      notice: ref,
      receiver: "shaoxing",
      at: "2020-02-11T09:30:01+08:00",
    });
    const repeated = await h.bus.recordReceipt({
      notice: ref,
      receiver: "shaoxing",
      at: "2020-02-11T09:31:00+08:00",
    });
    await h.bus.recordReceipt({ notice: ref, receiver: "suzhou", at: "2020-02-11T09:30:02+08:00" });
    expect(first.duplicate).toBe(false);
    expect(repeated.duplicate).toBe(true);

    const report = await h.bus.receipts(ref, ["shaoxing", "suzhou", "jiaxing", "shanghai"]);
    expect(report.acknowledged).toEqual([
      { city: "shaoxing", at: "2020-02-11T09:30:01+08:00" },
      { city: "suzhou", at: "2020-02-11T09:30:02+08:00" },
    ]);
    expect(report.pending).toEqual(["jiaxing", "shanghai"]);
  });

  it("refuses a receipt whose ids would forge a subject", async () => {
    await using h = await startHarness();
    await expect(
      h.bus.recordReceipt({ notice: { origin: "hangzhou", id: "x.>" }, receiver: "suzhou" }),
    ).rejects.toThrow(TypeError);
  });
});
