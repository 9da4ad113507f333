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

  it("stores receipts recorded at once together, each first-wins, repeats in the same write included", async () => {
    await using h = await startHarness();
    const cities = Array.from({ length: 40 }, (_, i) => `city${i}`);
    const ref = { origin: "hangzhou", id: "notice-at-once" };
    await h.bus.recordReceipt({ notice: ref, receiver: "city0", at: "2020-02-11T09:30:00+08:00" });
    // city0 again (stored before), city1 twice in the same turn, and 38 more.
    const outcomes = await Promise.all([
      ...cities.map((receiver) =>
        h.bus.recordReceipt({ notice: ref, receiver, at: "2020-02-11T09:31:00+08:00" }),
      ),
      h.bus.recordReceipt({ notice: ref, receiver: "city1", at: "2020-02-11T09:32:00+08:00" }),
    ]);
    expect(outcomes.filter((o) => o.duplicate)).toHaveLength(2);
    const report = await h.bus.receipts(ref, cities);
    expect(report.pending).toEqual([]);
    expect(report.acknowledged.find((a) => a.city === "city0")?.at).toBe("2020-02-11T09:30:00+08:00");
    expect(report.acknowledged.find((a) => a.city === "city1")?.at).toBe("2020-02-11T09:31:00+08:00");
    const { state } = await h.bus.connection.jsm.streams.info("RECEIPTS");
    expect(state.messages).toBe(40);
  });

  it("refuses a receipt whose ids would forge a subject", async () => {
    await using h = await startHarness();
    await expect(
      h.bus.recordReceipt({ notice: { origin: "hangzhou", id: "x.>" }, receiver: "suzhou" }),
    ).rejects.toThrow(TypeError);
  });
});
