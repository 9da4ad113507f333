// Attack: a careless or hostile city, through the gateway with its own token, says what is not its
// to say — another city's pass, district, measure or trace request; a city or district that does not
// exist; a revision of nothing; a drill that moves a real case; a phone number as an id. Each is
// refused with the status and reason the city can act on, and nothing it said changes any state.
import type { AddressInfo } from "node:net";
import { connectBus } from "@tongbao/bus";
import { createGateway, hashToken } from "@tongbao/gateway";
import { metroViewOf } from "@tongbao/metro";
import { createProjector, openReadModels } from "@tongbao/projections";
import { eventOf, startNats, storeMetro, uniqueKey, waitFor } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const CITIES = ["shanghai", "huzhou", "suzhou", "wuxi", "shaoxing"] as const;
type City = (typeof CITIES)[number];
const metro = storeMetro(CITIES);
const tokens = Object.fromEntries(CITIES.map((c) => [c, `token-of-${c}-${uniqueKey()}`])) as Record<
  City,
  string
>;

let base = "";
const closing: (() => PromiseLike<unknown>)[] = [];
beforeAll(async () => {
  const nats = await startNats();
  // The gateway's bus knows the metro, as services/gateway/src/main.ts gives it.
  const bus = await connectBus({ servers: nats.url, name: "red-team-gateway", metro: metroViewOf(metro) });
  const projector = createProjector({ bus, flushEveryMs: 20 });
  await projector.ready;
  const app = createGateway({
    bus,
    metro,
    tokens: Object.fromEntries(CITIES.map((c) => [c, hashToken(tokens[c])])),
    readModels: await openReadModels(bus, metro),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  closing.push(
    () => app.close(),
    () => projector.stop(),
    () => bus.close(),
    () => nats[Symbol.asyncDispose](),
  );
});
afterAll(async () => {
  for (const close of closing) await Promise.resolve(close()).catch(() => undefined);
});

/** POSTs an event as `city` over HTTP; the gateway sets the origin from the token. */
const say = async (city: City, type: Parameters<typeof eventOf>[0], fields: Record<string, unknown>) => {
  const { origin: _, source: __, ...event } = eventOf(type, { origin: city, source: undefined, ...fields });
  const response = await fetch(`${base}/v1/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${tokens[city]}` },
    body: JSON.stringify(event),
  });
  return {
    status: response.status,
    body: (await response.json()) as { id?: string; detail?: string; title?: string },
  };
};
const reasonOf = (r: { body: unknown }) => JSON.stringify(r.body);
const get = async (path: string, city: City = "suzhou") =>
  (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${tokens[city]}` } })).json() as Promise<
    Record<string, unknown>
  >;

const AT = "2020-03-02T08:00:00%2B08:00";
const pass = { validFrom: "2020-02-01T00:00:00+08:00", validUntil: "2020-06-01T00:00:00+08:00" };

describe("domain rules at the gateway", () => {
  it("403: Huzhou cannot revoke Shanghai's pass, and Shanghai's own revocation still counts", async () => {
    const passId = uniqueKey("SH-PASS");
    expect((await say("shanghai", "pass.issued", { subject: passId, data: pass })).status).toBe(202);
    const forged = await say("huzhou", "pass.revoked", { subject: passId });
    expect(forged.status).toBe(403);
    expect(reasonOf(forged)).toMatch(/issued by shanghai: only shanghai may revoke it/);
    expect(
      (await say("shanghai", "pass.revoked", { subject: passId, data: { at: "2020-03-01T00:00:00+08:00" } }))
        .status,
    ).toBe(202);
    await waitFor(
      "the revocation at the checkpoint",
      async () => (await get(`/v1/passes/${passId}?at=${AT}`)).status === "revoked",
    );
    expect(await get(`/v1/passes/${passId}?at=${AT}`)).toMatchObject({
      issuedBy: "shanghai",
      status: "revoked",
    });
  });

  it("409: a pass id is its first issuer's; the city that comes second is told, not ignored", async () => {
    const passId = uniqueKey("SH-PASS");
    expect((await say("huzhou", "pass.issued", { subject: passId, data: pass })).status).toBe(202);
    const second = await say("shanghai", "pass.issued", { subject: passId, data: pass });
    expect(second.status).toBe(409);
    expect(reasonOf(second)).toMatch(/already issued by huzhou/);
  });

  it("403 / 404: Wuxi cannot set a Suzhou district's risk, nor an invented district's", async () => {
    const other = await say("wuxi", "risk.changed", { subject: "suzhou-centre", data: { level: "high" } });
    expect(other.status).toBe(403);
    expect(reasonOf(other)).toMatch(/district suzhou-centre is suzhou's, not wuxi's/);
    const typo = await say("suzhou", "risk.changed", {
      subject: "suzhou-gusu-typo",
      data: { level: "high" },
    });
    expect(typo.status).toBe(404);
    expect(reasonOf(typo)).toMatch(/suzhou-gusu-typo is not a district of the metro/);
  });

  it("404 / 403: Shaoxing cannot answer a trace request addressed to Huzhou", async () => {
    const requestId = uniqueKey("XC-SH");
    const contacts = [
      {
        contactRef: "c_contact_for_huzhou1",
        district: "huzhou-centre",
        lastContactAt: "2020-02-01T19:00:00+08:00",
      },
    ];
    expect(
      (
        await say("shanghai", "trace.requested", {
          subject: requestId,
          data: { targetCity: "huzhou", contacts },
        })
      ).status,
    ).toBe(202);
    const answers = [{ contactRef: "c_contact_for_huzhou1", outcome: "located" }];
    const wrong = await say("shaoxing", "trace.answered", {
      subject: requestId,
      data: { targetCity: "shanghai", answers },
    });
    expect(wrong.status).toBe(404);
    expect(reasonOf(wrong)).toMatch(/from shanghai to shaoxing does not exist/);
    const stranger = await say("huzhou", "trace.answered", {
      subject: requestId,
      data: { targetCity: "shanghai", answers: [{ contactRef: "c_not_in_the_request", outcome: "located" }] },
    });
    expect(stranger.status).toBe(422);
    expect(
      (
        await say("huzhou", "trace.answered", {
          subject: requestId,
          data: { targetCity: "shanghai", answers },
        })
      ).status,
    ).toBe(202);
  });

  it("404: no trace request or case transfer to a city that does not exist; the owner keeps its case", async () => {
    const atlantis = await say("shanghai", "trace.requested", {
      data: {
        targetCity: "atlantis",
        contacts: [
          {
            contactRef: "c_contact_atlantis1",
            district: "atlantis-x",
            lastContactAt: "2020-02-01T19:00:00+08:00",
          },
        ],
      },
    });
    // The target must be a city: the catalog itself (audience) or the decider refuses it, never 202.
    expect([400, 404]).toContain(atlantis.status);
    const caseId = uniqueKey("SH-CASE");
    expect((await say("shanghai", "case.reported", { subject: caseId })).status).toBe(202);
    const away = await say("shanghai", "case.transferred", {
      subject: caseId,
      data: { newOwner: "atlantis" },
    });
    expect(away.status).toBe(404);
    expect(reasonOf(away)).toMatch(/atlantis: no such city in the metro/);
    expect((await say("shanghai", "case.reclassified", { subject: caseId })).status).toBe(202);
  });

  it("422: a drill never moves a real case", async () => {
    const caseId = uniqueKey("SH-CASE");
    expect((await say("shanghai", "case.reported", { subject: caseId })).status).toBe(202);
    const drill = await say("shanghai", "case.transferred", {
      subject: caseId,
      status: "test",
      data: { newOwner: "suzhou" },
    });
    expect(drill.status).toBe(422);
    expect(reasonOf(drill)).toMatch(/drills and real events never act on each other's/);
    expect((await say("shanghai", "case.reclassified", { subject: caseId })).status).toBe(202);
  });

  it("403 / 404: a policy for another city, a revision of an event that does not exist", async () => {
    const foreign = await say("huzhou", "policy.changed", { data: { scope: { city: "shanghai" } } });
    expect(foreign.status).toBe(403);
    expect(reasonOf(foreign)).toMatch(/huzhou sets measures for itself only/);
    const policyId = uniqueKey("SZ-POLICY");
    expect(
      (await say("suzhou", "policy.changed", { subject: policyId, data: { scope: { city: "suzhou" } } }))
        .status,
    ).toBe(202);
    const dangling = await say("suzhou", "policy.changed", {
      subject: policyId,
      data: { scope: { city: "suzhou" }, revises: { eventId: "no-such-event", kind: "cancel" } },
    });
    expect(dangling.status).toBe(404);
    const unsaid = await say("suzhou", "policy.changed", {
      subject: policyId,
      data: { scope: { city: "suzhou" } },
    });
    expect(unsaid.status).toBe(422);
    expect(reasonOf(unsaid)).toMatch(/names the event it updates or cancels/);
  });

  it("404: an offer for a supply request no city made; 202 once it is made", async () => {
    const requestId = uniqueKey("SZ-SUP");
    const early = await say("wuxi", "supply.offered", { data: { forRequest: requestId } });
    expect(early.status).toBe(404);
    expect(reasonOf(early)).toMatch(/which no city made/);
    const deliverTo = { city: "suzhou", district: "suzhou-centre" };
    expect(
      (await say("suzhou", "supply.requested", { subject: requestId, data: { deliverTo } })).status,
    ).toBe(202);
    expect((await say("wuxi", "supply.offered", { data: { forRequest: requestId } })).status).toBe(202);
  });

  it("400: a phone or ID-card number is never an id or a key of a broadcast", async () => {
    const phone = await say("shanghai", "pass.issued", { subject: "13912345678", data: pass });
    expect(phone.status).toBe(400);
    expect(JSON.stringify(phone.body)).toMatch(/subject.*phone or ID-card number/);
    expect(JSON.stringify(phone.body)).not.toContain("13912345678");
  });
});
