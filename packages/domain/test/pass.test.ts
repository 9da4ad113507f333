import { passDecider, RefusalKind } from "@tongbao/domain";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { given } from "./given.ts";

const passId = "SH-JD-COMMUTE-000123";
const issued = (origin: string, validIn?: string[]) =>
  eventOf("pass.issued", { origin, source: undefined, subject: passId, data: { validIn } });
const revoked = (origin: string) => eventOf("pass.revoked", { origin, source: undefined, subject: passId });
const metro = {
  hasCity: (city: string) => ["shanghai", "suzhou", "huzhou"].includes(city),
  cityOfDistrict: () => undefined,
};

describe("the pass decider (通行证互认)", () => {
  it("lets only the issuing city revoke its pass", () => {
    given(passDecider, [issued("shanghai")])
      .when(revoked("shanghai"))
      .accepted();
    given(passDecider, [issued("shanghai")])
      .when(revoked("huzhou"))
      .refused(RefusalKind.notYours, /issued by shanghai: only shanghai may revoke it/);
  });

  it("keeps a pass id its first issuer's: another city cannot take it over", () => {
    given(passDecider, [issued("shanghai")])
      .when(issued("huzhou"))
      .refused(RefusalKind.conflict, /already issued by shanghai/);
    // Huzhou's claim, stored anyway by a raw client, leaves the pass Shanghai's to revoke.
    const folded = given(passDecider, [issued("shanghai"), issued("huzhou"), revoked("huzhou")]).state();
    expect(folded.state.issuer).toBe("shanghai");
    expect(folded.state.revoked).toBe(false);
    given(passDecider, [issued("shanghai"), issued("huzhou")])
      .when(revoked("shanghai"))
      .accepted();
  });

  it("refuses a revocation of a pass never issued, and a second revocation", () => {
    given(passDecider, [])
      .when(revoked("shanghai"))
      .refused(RefusalKind.unknown, /has not been issued/);
    given(passDecider, [issued("shanghai"), revoked("shanghai")])
      .when(revoked("shanghai"))
      .refused(RefusalKind.conflict, /already revoked/);
  });

  it("refuses a pass valid in a city the metro does not have", () => {
    given(passDecider, [], { metro })
      .when(issued("shanghai", ["suzhou", "atlantis"]))
      .refused(RefusalKind.unknown, /atlantis: no such city/);
    given(passDecider, [], { metro })
      .when(issued("shanghai", ["suzhou"]))
      .accepted();
  });

  it("never lets a drill revoke a real pass", () => {
    given(passDecider, [issued("shanghai")])
      .when({ ...revoked("shanghai"), status: "exercise" })
      .refused(RefusalKind.rule, /drills and real events never act on each other's/);
  });
});
