// Attack: Huzhou's own NATS user, with a raw client, stores events on Huzhou's own subjects whose
// bodies say they came from Shanghai, or from Tongbao itself. NATS lets it (the subject is Huzhou's);
// every reader must judge by the subject: nothing is delivered, folded or shown, and operators see it.
import type { Bus, RefusedOnRead } from "@tongbao/bus";
import { createCityRelay, newWebhookSecret, startWebhookSink } from "@tongbao/city-relay";
import { METRO_ORIGIN, prepareEvent, subjectOfValidEvent } from "@tongbao/events";
import type { City } from "@tongbao/metro";
import { createProjector, openReadModels } from "@tongbao/projections";
import { createLogger } from "@tongbao/service-kit";
import { eventOf, storeMetro, uniqueKey } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../topology/support.ts";
import { type SecuredServer, startSecured } from "./secured.ts";

const CITIES = ["shanghai", "huzhou", "suzhou"] as const;
const logger = createLogger("red-team-impersonation", "silent");
const secrets = { shanghai: newWebhookSecret(), suzhou: newWebhookSecret() };
const metro = storeMetro(CITIES);

let secured: SecuredServer;
beforeAll(async () => {
  secured = await startSecured(CITIES);
});
afterAll(async () => {
  await secured?.[Symbol.asyncDispose]();
});

describe("impersonation over NATS: Huzhou's user speaks as Shanghai and as Tongbao", () => {
  it("is never delivered, folded or replayed; each forgery is a dead letter and a count", async () => {
    const shanghai = await secured.as("shanghai");
    const huzhouRaw = await secured.raw("huzhou");
    const passId = uniqueKey("SH-PASS");
    const pass = await shanghai.publish(
      eventOf("pass.issued", {
        origin: "shanghai",
        source: undefined,
        subject: passId,
        data: { validFrom: "2020-02-01T00:00:00+08:00", validUntil: "2099-01-01T00:00:00+08:00" },
      }),
    );
    await shanghai.publish(
      eventOf("risk.changed", {
        origin: "shanghai",
        source: undefined,
        subject: "shanghai-centre",
        data: { level: "high", previousLevel: undefined },
      }),
    );

    // The forgeries: complete, valid bodies, stored on subjects Huzhou may publish on.
    const bodies = [
      prepareEvent({
        ...eventOf("pass.revoked", { subject: passId, source: undefined }),
        origin: "shanghai",
      }),
      prepareEvent({
        ...eventOf("risk.changed", { subject: "shanghai-centre", source: undefined }),
        origin: "shanghai",
        data: { level: "low-1", effectiveFrom: "2020-02-20T00:00:00+08:00", measures: [] },
      }),
      prepareEvent({ ...eventOf("notice.overdue", { source: undefined }), origin: METRO_ORIGIN }),
    ];
    const storedUnder = (body: (typeof bodies)[number]) => subjectOfValidEvent({ ...body, origin: "huzhou" });
    for (const body of bodies) await huzhouRaw.js.publish(storedUnder(body), JSON.stringify(body));
    const push = prepareEvent({ ...eventOf("person.pushed", { source: undefined }), origin: "shanghai" });
    await huzhouRaw.js.publish(`dm.suzhou.huzhou.person.pushed.${push.subject}`, JSON.stringify(push));

    // Shanghai's and Suzhou's relays, each under its city's user, deliver to their webhooks.
    const sink = await startWebhookSink({ secrets });
    const relays = await Promise.all(
      (["shanghai", "suzhou"] as const).map(async (id) => {
        const city: City = {
          ...(metro.cities.find((c) => c.id === id) as City),
          delivery: {
            kind: "webhook",
            urls: [`${sink.url}/hooks/${id}`],
            secret: { env: "UNUSED" },
            timeoutMs: 2_000,
          },
        };
        return createCityRelay({ bus: await secured.as(id), city, secret: secrets[id], logger });
      }),
    );
    const projectorBus = await secured.as("projector");
    const projector = createProjector({ bus: projectorBus, flushEveryMs: 50 });
    try {
      await projector.ready;
      const operator = await secured.as("operator");
      const letters = async (bus: Bus) =>
        (await bus.deadLetters.list()).filter((l) => l.reason === "impersonation");
      // Suzhou's relay: the three broadcasts and the push; Shanghai's: the three broadcasts.
      await waitFor(
        "a dead letter per forgery and relay",
        async () => (await letters(operator)).length === 7,
      );
      const sawSuzhou = sink.received("suzhou").map((n) => n.type);
      expect(sawSuzhou.sort()).toEqual(["pass.issued", "risk.changed"]);
      expect(sink.received("shanghai")).toEqual([]); // its own events are not sent back to it
      const dead = await letters(operator);
      expect(dead.map((l) => l.error)).toContain(
        "ImpersonationError: invalid event: origin: disagrees with the subject it was stored under (origin huzhou)",
      );
      // Every one is Huzhou's words: its own subjects, whatever the bodies claim.
      expect(dead.every((l) => /^(evt|dm\.suzhou)\.huzhou\./.test(l.subject))).toBe(true);

      // The read models: the pass stays valid, Shanghai's district stays high.
      await waitFor("the projector to count every forgery", () => projector.status().refusedOnRead === 4);
      const models = await openReadModels(operator, metro);
      expect((await models.checkPass(passId)).status).toBe("valid");
      const centre = (await models.riskMap()).districts.find((d) => d.districtId === "shanghai-centre");
      expect(centre?.level).toBe("high");

      // An operator's replay shows Shanghai's two events and says what it left out, and why.
      const refused: RefusedOnRead[] = [];
      const replayed = [];
      for await (const { event } of operator.replay({ onRefused: (r) => refused.push(r) }))
        replayed.push(event.id);
      expect(replayed).toContain(pass.id);
      expect(replayed).toHaveLength(2);
      expect(refused.map((r) => r.reason)).toEqual(["impersonation", "impersonation", "impersonation"]);
      expect(refused.every((r) => r.subject.startsWith("evt.huzhou."))).toBe(true);
    } finally {
      await projector.stop();
      for (const relay of relays) await relay.stop();
      await sink.close();
    }
  });
});
