import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { casesDailyModel } from "../src/cases/cases-daily.ts";
import { ownershipModel } from "../src/ownership/ownership.ts";
import { given } from "./support.ts";

const caseId = "HZ-2020-0211-017";
const reported = (classification: "suspected" | "confirmed", id = caseId) =>
  eventOf("case.reported", { subject: id, data: { classification } });

describe("cases per city and day", () => {
  it("counts reports by classification, reclassifications and closures on their own day", () => {
    const days = given(casesDailyModel, [
      reported("suspected"),
      reported("confirmed", "HZ-2020-0211-018"),
      reported("suspected", "HZ-2020-0211-019"),
      eventOf("case.reclassified", { subject: caseId }),
      eventOf("case.closed", { subject: caseId }),
      eventOf("case.reported", { subject: "X", status: "test" }),
    ]);
    expect(days.get("hangzhou.2020-02-11")).toEqual({
      city: "hangzhou",
      day: "2020-02-11",
      reported: { suspected: 2, confirmed: 1 },
      reclassifiedTo: {},
      closed: {},
    });
    expect(days.get("hangzhou.2020-02-12")?.reclassifiedTo).toEqual({ confirmed: 1 });
    expect(days.get("hangzhou.2020-02-28")?.closed).toEqual({ discharged: 1 });
  });
});

describe("case ownership", () => {
  it("moves only by a transfer, and then only the new owner's events count", () => {
    const cases = given(ownershipModel, [
      reported("suspected"),
      eventOf("case.transferred", { subject: caseId }),
      eventOf("case.closed", { subject: caseId }), // from hangzhou, no longer the owner
      eventOf("case.reclassified", { subject: caseId, origin: "shaoxing" }),
    ]);
    expect(cases.get(caseId)).toEqual({
      caseId,
      reportedBy: "hangzhou",
      owner: "shaoxing",
      district: "hangzhou-xiaoshan",
      classification: "confirmed",
      transfers: [{ from: "hangzhou", to: "shaoxing", at: "2020-02-13T10:30:00+08:00" }],
    });
  });
});
