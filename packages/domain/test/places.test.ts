import { personDecider, RefusalKind, supplyDecider } from "@tongbao/domain";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { given } from "./given.ts";

const metro = {
  hasCity: (city: string) => ["shanghai", "suzhou", "wuxi"].includes(city),
  cityOfDistrict: (d: string) =>
    d.startsWith("suzhou-") ? "suzhou" : d.startsWith("shanghai-") ? "shanghai" : undefined,
};

describe("the key-person push decider (重点人员推送)", () => {
  it("pushes a person to a district of the city it is addressed to", () => {
    const push = (targetCity: string, district: string) =>
      eventOf("person.pushed", { origin: "shanghai", source: undefined, data: { targetCity, district } });
    given(personDecider, [], { metro }).when(push("suzhou", "suzhou-kunshan")).accepted();
    given(personDecider, [], { metro })
      .when(push("suzhou", "shanghai-jiading"))
      .refused(RefusalKind.rule, /shanghai's, not suzhou's/);
    given(personDecider, [], { metro })
      .when(push("atlantis", "atlantis-x"))
      .refused(RefusalKind.unknown, /atlantis: no such city in the metro/);
  });
});

describe("the supply decider (物资互济)", () => {
  it("keeps a dispatch its sender's word, to a city of the metro", () => {
    given(supplyDecider, [], { metro })
      .when(
        eventOf("supply.dispatched", {
          origin: "wuxi",
          source: undefined,
          data: { fromCity: "suzhou", toCity: "shanghai" },
        }),
      )
      .refused(RefusalKind.notYours, /leaves suzhou: only suzhou says what it sends/);
    given(supplyDecider, [], { metro })
      .when(
        eventOf("supply.dispatched", {
          origin: "wuxi",
          source: undefined,
          data: { fromCity: "wuxi", toCity: "atlantis" },
        }),
      )
      .refused(RefusalKind.unknown, /atlantis: no such city/);
  });

  it("lets an offer or a dispatch name only a request or an offer some city made", () => {
    const request = eventOf("supply.requested", { origin: "suzhou", source: undefined, subject: "SZ-SUP-1" });
    const offer = (forRequest: string) =>
      eventOf("supply.offered", { origin: "wuxi", source: undefined, data: { forRequest } });
    given(supplyDecider, [request]).when(offer("SZ-SUP-1")).accepted();
    given(supplyDecider, [])
      .when(offer("SZ-SUP-1"))
      .refused(RefusalKind.unknown, /names supply request SZ-SUP-1, which no city made/);
    expect(supplyDecider.reads?.({ ...offer("SZ-SUP-1"), specversion: "1.0" } as never)).toEqual([
      "evt.*.supply.requested.SZ-SUP-1",
    ]);
  });
});
