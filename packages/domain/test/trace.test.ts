import { RefusalKind, traceDecider, unansweredContacts } from "@tongbao/domain";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { given } from "./given.ts";

const requestId = "XC-SH-2020-0203-01";
const contact = (contactRef: string, district = "huzhou-wuxing") => ({
  contactRef,
  district,
  lastContactAt: "2020-02-01T19:00:00+08:00",
});
const requested = (
  origin = "shanghai",
  targetCity = "huzhou",
  districts = ["huzhou-wuxing", "huzhou-wuxing"],
) =>
  eventOf("trace.requested", {
    origin,
    source: undefined,
    subject: requestId,
    data: { targetCity, contacts: districts.map((d, i) => contact(`c_contact_000000${i}`, d)) },
  });
const answered = (origin: string, targetCity: string, refs: string[]) =>
  eventOf("trace.answered", {
    origin,
    source: undefined,
    subject: requestId,
    data: { targetCity, answers: refs.map((contactRef) => ({ contactRef, outcome: "located" as const })) },
  });
const metro = {
  hasCity: (city: string) => ["shanghai", "huzhou", "shaoxing"].includes(city),
  cityOfDistrict: (d: string) => ({ "huzhou-wuxing": "huzhou", "shanghai-jiading": "shanghai" })[d],
};

describe("the trace request decider (协查函)", () => {
  it("lets only the target city answer, and only to the city that asked", () => {
    given(traceDecider, [requested()])
      .when(answered("huzhou", "shanghai", ["c_contact_0000000"]))
      .accepted();
    given(traceDecider, [requested()])
      .when(answered("shaoxing", "shanghai", ["c_contact_0000000"]))
      .refused(RefusalKind.notYours, /sent to huzhou: only huzhou answers it/);
    given(traceDecider, [])
      .when(answered("huzhou", "shanghai", ["c_contact_0000000"]))
      .refused(RefusalKind.unknown, /from shanghai to huzhou does not exist/);
  });

  it("refuses an answer about contacts the request does not name", () => {
    given(traceDecider, [requested()])
      .when(answered("huzhou", "shanghai", ["c_contact_0000000", "c_somebody_else_99"]))
      .refused(RefusalKind.rule, /does not name 1 of the contacts answered/);
  });

  it("keeps a request open until every contact is answered", () => {
    const partial = given(traceDecider, [
      requested(),
      answered("huzhou", "shanghai", ["c_contact_0000000"]),
    ]).state();
    expect(unansweredContacts(partial.state)).toEqual(["c_contact_0000001"]);
    const whole = given(traceDecider, [
      requested(),
      answered("huzhou", "shanghai", ["c_contact_0000000"]),
      answered("huzhou", "shanghai", ["c_contact_0000001"]),
    ]).state();
    expect(unansweredContacts(whole.state)).toEqual([]);
  });

  it("refuses a request to a city or about a district the metro does not have", () => {
    given(traceDecider, [], { metro })
      .when(requested("shanghai", "atlantis", ["atlantis-x"]))
      .refused(RefusalKind.unknown, /atlantis: no such city in the metro/);
    given(traceDecider, [], { metro })
      .when(requested("shanghai", "huzhou", ["huzhou-wuxing", "huzhou-typo"]))
      .refused(RefusalKind.unknown, /district huzhou-typo is not a district of the metro/);
    given(traceDecider, [], { metro })
      .when(requested("shanghai", "huzhou", ["shanghai-jiading"]))
      .refused(RefusalKind.rule, /district shanghai-jiading is shanghai's, not huzhou's/);
  });

  it("reads, to decide an answer, only the request addressed to the answering city", () => {
    const answer = answered("huzhou", "shanghai", ["c_contact_0000000"]);
    expect(traceDecider.reads?.({ ...answer, specversion: "1.0" } as never)).toEqual([
      `dm.huzhou.shanghai.trace.requested.${requestId}`,
    ]);
  });
});
