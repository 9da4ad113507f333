import { caseDecider, RefusalKind } from "@tongbao/domain";
import { prepareEvent, type TongbaoEvent } from "@tongbao/events";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { given } from "./given.ts";

const caseId = "HZ-2020-0211-017";
const reported = eventOf("case.reported", { origin: "hangzhou", subject: caseId });
const as = (origin: string, type: "case.reclassified" | "case.closed") =>
  eventOf(type, { origin, subject: caseId });
const transfer = (origin: string, newOwner: string, status?: "exercise") =>
  eventOf("case.transferred", { origin, subject: caseId, data: { newOwner }, ...(status && { status }) });
const metro = {
  hasCity: (city: string) => ["hangzhou", "suzhou", "shaoxing"].includes(city),
  cityOfDistrict: () => undefined,
};

describe("the case decider (首接负责制)", () => {
  it("lets the reporting city append, and nobody else", () => {
    given(caseDecider, [reported]).when(as("hangzhou", "case.reclassified")).accepted();
    given(caseDecider, [reported])
      .when(as("huzhou", "case.closed"))
      .refused(RefusalKind.notYours, /owned by hangzhou/);
  });

  it("refuses a second report of the same case and appends to a case never reported", () => {
    given(caseDecider, [reported])
      .when(eventOf("case.reported", { origin: "suzhou", subject: caseId }))
      .refused(RefusalKind.conflict, /already reported by hangzhou/);
    given(caseDecider, [])
      .when(as("hangzhou", "case.closed"))
      .refused(RefusalKind.unknown, /has not been reported/);
  });

  it("moves ownership only by the owner's transfer, at once", () => {
    const history = [reported, transfer("hangzhou", "suzhou")];
    given(caseDecider, history).when(as("suzhou", "case.closed")).accepted();
    given(caseDecider, history)
      .when(as("hangzhou", "case.closed"))
      .refused(RefusalKind.notYours, /owned by suzhou/);
    given(caseDecider, history).when(transfer("suzhou", "hangzhou")).accepted();
    expect(given(caseDecider, history).state().state.owner).toBe("suzhou");
  });

  it("ignores a transfer by a city that does not own the case, whoever stored it", () => {
    const folded = given(caseDecider, [reported, transfer("huzhou", "suzhou")]).state();
    expect(folded.state.owner).toBe("hangzhou");
    expect(folded.refused.map((r) => r.refusal.kind)).toEqual([RefusalKind.notYours]);
  });

  it("refuses a transfer to a city the metro does not have, or to the owner itself", () => {
    given(caseDecider, [reported], { metro })
      .when(transfer("hangzhou", "atlantis"))
      .refused(RefusalKind.unknown, /atlantis: no such city/);
    // The catalog refuses this at publish; a raw client could still store it.
    const valid = prepareEvent(transfer("hangzhou", "suzhou"));
    const toItself = { ...valid, data: { ...valid.data, newOwner: "hangzhou" } } as TongbaoEvent;
    given(caseDecider, [reported])
      .when(toItself)
      .refused(RefusalKind.rule, /already owned by hangzhou/);
  });

  it("never lets a drill's event act on a real case, nor a real event on a drill's", () => {
    given(caseDecider, [reported])
      .when(transfer("hangzhou", "suzhou", "exercise"))
      .refused(RefusalKind.rule, /drills and real events/);
    const drill = eventOf("case.reported", { origin: "hangzhou", subject: caseId, status: "exercise" });
    given(caseDecider, [drill])
      .when(transfer("hangzhou", "suzhou"))
      .refused(RefusalKind.rule, /exercise case/);
    given(caseDecider, [drill])
      .when(transfer("hangzhou", "suzhou", "exercise"))
      .accepted();
  });
});
