// The demo metro end to end: every service as its own process, as `pnpm start` runs them, real HTTP
// into the gateway, real webhooks out of the relays, and the February 2020 scenario.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { uniqueKey } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenario } from "../../infra/fixtures/load.ts";
import { type RunningMetro, root, startMetro, waitFor } from "../support/metro.ts";

let m: RunningMetro;
beforeAll(async () => {
  m = await startMetro();
  await loadScenario(m.bus, join(root, "infra/fixtures/yrd-2020-02.ndjson"));
}, 120_000);
afterAll(async () => {
  await m?.[Symbol.asyncDispose]();
});

const post = (city: string, event: object, contentType = "application/cloudevents+json") =>
  m.api(city, "/v1/events", {
    method: "POST",
    headers: { "content-type": contentType },
    body: JSON.stringify(event),
  });

// Response bodies are checked field by field below; their shape is what the tests assert.
// biome-ignore lint/suspicious/noExplicitAny: see above
type Body = any;
const json = async (response: Response) => ({
  status: response.status,
  body: (await response.json()) as Body,
});

const caseReport = (caseId: string) => ({
  type: "case.reported",
  subject: caseId,
  data: {
    classification: "confirmed",
    district: "hangzhou-xiaoshan",
    diagnosedAt: "2020-02-11T08:45:00+08:00",
    exposure: [{ city: "shaoxing", district: "shaoxing-zhuji", from: "2020-02-01" }],
    closeContacts: [{ cityOfResidence: "shaoxing", count: 3 }],
    hospital: "杭州市西溪医院",
  },
});

describe("one city discovers, every city is notified", () => {
  it("a case reported in Hangzhou over HTTP reaches every other city's webhook, signed, and its receipts complete", async () => {
    const { status, body } = await json(await post("hangzhou", caseReport(uniqueKey("HZ"))));
    expect(status).toBe(202);
    const others = m.metro.cities.filter((c) => c.id !== "hangzhou");
    const webhookCities = others.filter((c) => c.delivery.kind === "webhook").map((c) => c.id);
    // The sink records a notice only when its Standard Webhooks signature verifies.
    await waitFor("every webhook city's systems to have the case", () =>
      webhookCities.every((city) => m.sink.received(city).some((n) => n.id === body.id)),
    );
    expect(m.sink.received("hangzhou").some((n) => n.id === body.id)).toBe(false);
    const receipts = await waitFor("every city's receipt", async () => {
      const r = await json(await m.api("hangzhou", `/v1/notices/${body.id}/receipts`));
      return r.status === 200 && r.body.pending.length === 0 ? r.body : undefined;
    });
    expect(receipts.acknowledged.map((a: { city: string }) => a.city).sort()).toEqual(
      others.map((c) => c.id).sort(),
    );
    expect(receipts.overdue).toEqual([]);
  });

  it("a trace request reaches its target only, and a third city's token cannot read it", async () => {
    const requestId = uniqueKey("XC");
    const { status, body } = await json(
      await post("hangzhou", {
        type: "trace.requested",
        subject: requestId,
        data: {
          targetCity: "shaoxing",
          caseId: "HZ-2020-0203-011",
          contacts: [
            {
              contactRef: "p-7f3a9c1d2e4b5a60",
              district: "shaoxing-zhuji",
              lastContactAt: "2020-02-02T18:00:00+08:00",
              details: { name: "测试联系人", phone: "+86 138 0000 0000" },
            },
          ],
          dueBy: "2030-01-01T00:00:00+08:00",
        },
      }),
    );
    expect(status).toBe(202);
    await waitFor("Shaoxing's systems to have the request", () =>
      m.sink.received("shaoxing").some((n) => n.id === body.id),
    );
    for (const city of m.metro.cities.filter((c) => c.id !== "shaoxing" && c.delivery.kind === "webhook")) {
      expect(m.sink.received(city.id).some((n) => n.id === body.id)).toBe(false);
    }
    const asTarget = await json(await m.api("shaoxing", `/v1/events?directed=true&key=${requestId}`));
    expect(asTarget.body.events.map((e: { id: string }) => e.id)).toContain(body.id);
    const asThird = await json(await m.api("suzhou", `/v1/events?directed=true&key=${requestId}`));
    expect(asThird.status).toBe(200);
    expect(asThird.body.events).toEqual([]);
    const broadcastView = await json(await m.api("suzhou", `/v1/events?key=${requestId}`));
    expect(broadcastView.body.events).toEqual([]);
    await waitFor("the notice index to know the request", async () => {
      const r = await m.api("shaoxing", `/v1/notices/${body.id}/receipts`);
      return r.status === 200;
    });
    expect((await m.api("suzhou", `/v1/notices/${body.id}/receipts`)).status).toBe(404);
  });

  it("a pass issued in Jiading is valid at a Kunshan checkpoint, and invalid after its revocation", async () => {
    const passId = uniqueKey("SH-JD-COMMUTE");
    const issued = await post("shanghai", {
      type: "pass.issued",
      subject: passId,
      data: {
        kind: "commuter",
        holderRef: "h-5c2e81a9b7d3f402",
        employer: "昆山某电子厂",
        validFrom: "2020-02-10T00:00:00+08:00",
        validUntil: "2030-12-31T00:00:00+08:00",
        validIn: ["shanghai", "suzhou"],
        conditions: ["temperature-check"],
      },
    });
    expect(issued.status, await issued.clone().text()).toBe(202);
    const atKunshan = await waitFor("the projector to know the pass", async () => {
      const r = await json(await m.api("suzhou", `/v1/passes/${passId}`));
      return r.body.status === "unknown" ? undefined : r.body;
    });
    expect(atKunshan).toMatchObject({ status: "valid", issuedBy: "shanghai", kind: "commuter" });
    const revoked = await post("shanghai", {
      type: "pass.revoked",
      subject: passId,
      data: { reason: "employment ended", at: new Date().toISOString() },
    });
    expect(revoked.status).toBe(202);
    const after = await waitFor("the revocation", async () => {
      const r = await json(await m.api("suzhou", `/v1/passes/${passId}`));
      return r.body.status === "valid" ? undefined : r.body;
    });
    expect(after.status).toBe("revoked");
  });

  it("the risk map as of a past moment differs from now exactly as the fixture says", async () => {
    const expected = JSON.parse(await readFile(join(root, "infra/fixtures/expectations.json"), "utf8"))
      .riskMap as { asOf: string; past: Record<string, string>; now: Record<string, string> };
    const levels = (map: { districts: { districtId: string; level: string }[] }) =>
      Object.fromEntries(map.districts.map((d) => [d.districtId, d.level]));
    const now = await waitFor("the projector to fold the scenario", async () => {
      const r = await json(await m.api("jiaxing", "/v1/risk"));
      const current = levels(r.body);
      return Object.keys(expected.now).every((d) => current[d] === expected.now[d]) ? current : undefined;
    });
    const past = levels(
      (await json(await m.api("jiaxing", `/v1/risk?asOf=${encodeURIComponent(expected.asOf)}`))).body,
    );
    expect(past).toEqual(expected.past);
    expect(now).toEqual(expected.now);
  });
});

describe("bad requests", () => {
  const valid = () => caseReport(uniqueKey("HZ"));

  it("401 without a token or with an unknown one", async () => {
    const none = await m.api(undefined, "/v1/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(valid()),
    });
    expect(none.status).toBe(401);
    const forged = await fetch(`${m.services.gatewayUrl}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer tb_hangzhou_forged" },
      body: JSON.stringify(valid()),
    });
    expect(forged.status).toBe(401);
  });

  it("400 names every offending field", async () => {
    const event = valid();
    const { status, body } = await json(
      await post("hangzhou", {
        ...event,
        data: { ...event.data, classification: "probable", diagnosedAt: "yesterday" },
      }),
    );
    expect(status).toBe(400);
    const paths = body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(["data.classification", "data.diagnosedAt"]));
  });

  it("403 for an event in another city's name", async () => {
    const { status, body } = await json(await post("suzhou", { ...valid(), origin: "hangzhou" }));
    expect(status).toBe(403);
    expect(JSON.stringify(body)).toContain("hangzhou");
  });

  it("413 when too large, 415 for another content type", async () => {
    const huge = { ...valid(), data: { ...valid().data, hospital: "医".repeat(400_000) } };
    expect((await post("hangzhou", huge)).status).toBe(413);
    expect((await post("hangzhou", valid(), "text/plain")).status).toBe(415);
  });

  it("a retried request with the same event id is stored once", async () => {
    const event = { ...valid(), id: uniqueKey("retry") };
    const first = await json(await post("hangzhou", event));
    const again = await json(await post("hangzhou", event));
    expect(first.status).toBe(202);
    expect(again.body).toMatchObject({ id: first.body.id, seq: first.body.seq, duplicate: true });
  });
});
