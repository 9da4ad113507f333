import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { checkPassAt, passesModel } from "../src/passes/passes.ts";
import { given } from "./support.ts";

const passId = "SH-JD-COMMUTE-000123";
const issued = eventOf("pass.issued", { subject: passId });
const revoked = eventOf("pass.revoked", { subject: passId, data: { at: "2020-03-02T12:00:00+08:00" } });
const at = (moment: string) => Date.parse(moment);

describe("passes", () => {
  it("is valid within its dates, in its cities, until revoked", () => {
    const pass = given(passesModel, [issued, revoked]).get(passId);
    expect(checkPassAt(passId, pass, at("2020-02-23T00:00:00+08:00")).status).toBe("not-yet-valid");
    expect(checkPassAt(passId, pass, at("2020-02-25T08:00:00+08:00"), "suzhou")).toMatchObject({
      status: "valid",
      kind: "commuter",
      issuedBy: "shanghai",
      validIn: ["shanghai", "suzhou"],
    });
    expect(checkPassAt(passId, pass, at("2020-02-25T08:00:00+08:00"), "ningbo").status).toBe(
      "not-valid-here",
    );
    expect(checkPassAt(passId, pass, at("2020-03-02T12:00:00+08:00"))).toMatchObject({
      status: "revoked",
      revokedAt: "2020-03-02T12:00:00+08:00",
    });
  });

  it("expires at validUntil, and is unknown when never issued", () => {
    const pass = given(passesModel, [issued]).get(passId);
    expect(checkPassAt(passId, pass, at("2020-03-24T00:00:00+08:00")).status).toBe("expired");
    expect(checkPassAt("NOPE", undefined, Date.now()).status).toBe("unknown");
  });

  it("honours only the issuing city's revocation", () => {
    const forged = eventOf("pass.revoked", { subject: passId, origin: "ningbo" });
    const pass = given(passesModel, [issued, forged]).get(passId);
    expect(checkPassAt(passId, pass, at("2020-03-10T00:00:00+08:00")).status).toBe("valid");
  });
});
