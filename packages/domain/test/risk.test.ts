import { RefusalKind, riskDecider } from "@tongbao/domain";
import { eventOf } from "@tongbao/testkit";
import { describe, it } from "vitest";
import { given } from "./given.ts";

const change = (origin: string, district: string, status?: "exercise") =>
  eventOf("risk.changed", { origin, source: undefined, subject: district, ...(status && { status }) });
const districts: Record<string, string> = { "suzhou-gusu": "suzhou", "shanghai-pudong": "shanghai" };
const metro = { hasCity: () => true, cityOfDistrict: (district: string) => districts[district] };

describe("the district risk decider (分区分级)", () => {
  it("takes a district's level only from the district's own city", () => {
    given(riskDecider, [], { metro }).when(change("suzhou", "suzhou-gusu")).accepted();
    given(riskDecider, [], { metro })
      .when(change("wuxi", "suzhou-gusu"))
      .refused(RefusalKind.notYours, /suzhou-gusu is suzhou's, not wuxi's/);
  });

  it("refuses a district the metro does not have", () => {
    given(riskDecider, [], { metro })
      .when(change("suzhou", "suzhou-gusu-typo"))
      .refused(RefusalKind.unknown, /suzhou-gusu-typo is not a district of the metro/);
  });

  it("without the metro definition, goes by the city prefix every district id has", () => {
    given(riskDecider, []).when(change("suzhou", "suzhou-gusu")).accepted();
    given(riskDecider, [])
      .when(change("wuxi", "suzhou-gusu"))
      .refused(RefusalKind.notYours, /not wuxi's/);
  });

  it("lets a drill speak of a real district, as a drill, and real changes go on after it", () => {
    given(riskDecider, [change("suzhou", "suzhou-gusu", "exercise")], { metro })
      .when(change("suzhou", "suzhou-gusu"))
      .accepted();
  });
});
