import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { riskAt, riskModel } from "../src/risk/risk.ts";
import { given } from "./support.ts";

const change = (level: "high" | "medium-2" | "low-1", effectiveFrom: string, status?: "exercise") =>
  eventOf("risk.changed", {
    subject: "hangzhou-xiaoshan",
    ...(status ? { status } : {}),
    data: { level, previousLevel: undefined, effectiveFrom, measures: [`${level} measures`] },
  });

describe("risk levels", () => {
  const states = given(riskModel, [
    change("high", "2020-02-05T00:00:00+08:00"),
    change("medium-2", "2020-02-12T00:00:00+08:00"),
    change("low-1", "2020-02-20T00:00:00+08:00"),
    change("high", "2020-02-15T00:00:00+08:00", "exercise"),
  ]);
  const district = states.get("hangzhou-xiaoshan");

  it("gives the level in force at each moment, with the level before it", () => {
    if (district === undefined) throw new Error("no state for the district");
    expect(riskAt(district, Date.parse("2020-02-01T00:00:00+08:00"))).toBeUndefined();
    expect(riskAt(district, Date.parse("2020-02-10T00:00:00+08:00"))?.level).toBe("high");
    expect(riskAt(district, Date.parse("2020-02-16T00:00:00+08:00"))).toMatchObject({
      level: "medium-2",
      previousLevel: "high",
      effectiveFrom: "2020-02-12T00:00:00+08:00",
      measures: ["medium-2 measures"],
    });
  });

  it("ignores drills: only actual events change the map", () => {
    expect(district?.changes.map((c) => c.level)).toEqual(["high", "medium-2", "low-1"]);
  });

  it("folds no level for a district the metro does not have, when the fold is given the metro", () => {
    const metro = {
      hasCity: () => true,
      cityOfDistrict: (d: string) => (d === "hangzhou-xiaoshan" ? "hangzhou" : undefined),
    };
    const typo = eventOf("risk.changed", { subject: "hangzhou-xiaoshan-typo", data: { level: "high" } });
    expect(given(riskModel, [typo]).has("hangzhou-xiaoshan-typo")).toBe(true);
    expect(given(riskModel, [typo], { metro }).has("hangzhou-xiaoshan-typo")).toBe(false);
  });
});
