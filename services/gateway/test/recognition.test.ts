import { eventOf, uniqueKey } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, type City, type Harness, startGateway, waitFor } from "./support.ts";

let gateway: Harness;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.[Symbol.asyncDispose]();
});

const get = async (city: City, url: string) => {
  const response = await gateway.app.inject({ method: "GET", url, headers: bearer(city) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

const during = "2020-03-01T08:00:00%2B08:00";

describe("GET /v1/passes/:passId", () => {
  it("tells a checkpoint whether a pass is valid in its city, expired, revoked or unknown", async () => {
    const pass = eventOf("pass.issued", { origin: "shanghai", data: { validIn: ["shanghai", "suzhou"] } });
    await gateway.bus.publish(pass);
    const url = `/v1/passes/${pass.subject}`;
    await waitFor("the pass to be projected", async () => (await get("suzhou", url)).status !== "unknown");
    expect(await get("suzhou", `${url}?at=${during}`)).toMatchObject({
      passId: pass.subject,
      status: "valid",
      issuedBy: "shanghai",
      kind: "commuter",
      validIn: ["shanghai", "suzhou"],
    });
    expect((await get("hangzhou", `${url}?at=${during}`)).status).toBe("not-valid-here");
    expect((await get("suzhou", `${url}?at=2020-04-01T00:00:00%2B08:00`)).status).toBe("expired");
    expect((await get("suzhou", `/v1/passes/${uniqueKey("PASS")}`)).status).toBe("unknown");

    await gateway.bus.publish(
      eventOf("pass.revoked", {
        origin: "shanghai",
        subject: pass.subject,
        data: { at: "2020-03-02T12:00:00+08:00" },
      }),
    );
    const afterRevocation = `${url}?at=2020-03-03T00:00:00%2B08:00`;
    await waitFor("the revocation", async () => (await get("suzhou", afterRevocation)).status === "revoked");
    expect((await get("suzhou", `${url}?at=${during}`)).status).toBe("valid");
  });

  it("answers 400 to an invalid moment", async () => {
    const response = await gateway.app.inject({
      method: "GET",
      url: "/v1/passes/P-1?at=soon",
      headers: bearer("suzhou"),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().issues[0].path).toBe("at");
  });
});

describe("GET /v1/risk", () => {
  it("gives district risk levels now and as of a past moment", async () => {
    const district = "hangzhou-centre";
    const change = (level: "high" | "low-1", day: string) =>
      eventOf("risk.changed", {
        origin: "hangzhou",
        subject: district,
        time: `${day}T00:00:00+08:00`,
        data: { level, effectiveFrom: `${day}T00:00:00+08:00`, previousLevel: undefined },
      });
    await gateway.bus.publish(change("high", "2020-02-01"));
    await gateway.bus.publish(change("low-1", "2020-02-20"));
    const levelIn = (map: { districts: { districtId: string; level: string }[] }) =>
      map.districts.find((d) => d.districtId === district)?.level;
    await waitFor("the risk map", async () => levelIn(await get("shaoxing", "/v1/risk")) === "low-1");
    const past = await get("shaoxing", "/v1/risk?asOf=2020-02-10T00:00:00%2B08:00");
    expect(levelIn(past)).toBe("high");
    expect(past.by).toBe("effective");
    expect(
      levelIn(await get("shaoxing", "/v1/risk?asOf=2020-01-10T00:00:00%2B08:00&by=recorded")),
    ).toBeUndefined();
  });

  it("answers 400 to an unknown basis", async () => {
    const response = await gateway.app.inject({
      method: "GET",
      url: "/v1/risk?by=rumour",
      headers: bearer("suzhou"),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().issues[0].path).toBe("by");
  });
});
