// A city's own gateway on its leaf node: it publishes into the city's outbox, serves that city's
// systems only, and keeps answering from what the city already has while its link to the hub is cut.
import { type Bus, connectBus, DOMAIN_LOCAL_SUBJECTS } from "@tongbao/bus";
import { createProjector } from "@tongbao/projections";
import { eventOf, startLeafMetro, storeMetro } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { report, serveLeafGateway, waitFor } from "./support.ts";

const CITIES = ["shanghai", "suzhou", "hangzhou"] as const;
const tokens: Record<string, string> = { shanghai: "sh-leaf-1", suzhou: "sz-leaf-2", hangzhou: "hz-leaf-3" };
const metro = storeMetro(CITIES);

describe("a city's gateway on its own leaf node", () => {
  it("serves that city only, publishes into its outbox, and answers from what it has while cut off", async () => {
    await using leaf = await startLeafMetro({ cities: CITIES, linkDeny: DOMAIN_LOCAL_SUBJECTS });
    await using _hub = await connectBus({
      servers: leaf.hub.urls,
      name: "hub",
      mode: { kind: "hub", cities: CITIES },
    });
    const buses: Bus[] = [];
    const leafBus = async (city: string) => {
      const bus = await connectBus({
        servers: leaf.cities[city]?.url ?? "",
        name: `${city}-leaf`,
        mode: { kind: "leaf", city },
      });
      buses.push(bus);
      return bus;
    };
    const shanghai = await leafBus("shanghai");
    const suzhou = await leafBus("suzhou");
    // Suzhou's read models, folded on Suzhou's own server from Suzhou's inbox.
    const projector = createProjector({ bus: suzhou });
    await projector.ready;
    const gateway = await serveLeafGateway({ bus: suzhou, metro, tokens, serves: ["suzhou"] });
    const { call } = gateway;
    const cutOff = leaf.cities.suzhou;
    if (cutOff === undefined) throw new Error("no suzhou");
    try {
      // A Jiading commuter pass, issued by Shanghai on its own leaf, is checked at a Kunshan checkpoint.
      const pass = eventOf("pass.issued", { origin: "shanghai", data: { validIn: ["shanghai", "suzhou"] } });
      await shanghai.publish(pass);
      const passUrl = `/v1/passes/${pass.subject}?at=2020-03-02T08:00:00%2B08:00`;
      await waitFor(
        "the pass at suzhou's gateway",
        async () => (await call("suzhou", passUrl)).body.status === "valid",
      );

      // Another city's systems are sent to their own gateway, and nothing is stored for them here.
      const elsewhere = await call("hangzhou", "/v1/events", {
        type: "policy.changed",
        data: { scope: { city: "hangzhou" } },
      });
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.body.error).toBe(
        "this gateway serves suzhou: hangzhou's systems use hangzhou's own gateway",
      );

      cutOff.cutLink();
      await waitFor("suzhou's link to be down", async () => !(await cutOff.isLinked()));
      const cutAt = Date.now();
      // Cut off: Suzhou still publishes (into its outbox), and still checks passes it already knew.
      const duringCut = eventOf("policy.changed", { origin: "suzhou", data: { scope: { city: "suzhou" } } });
      const { origin: _origin, ...asSent } = duringCut;
      const accepted = await call("suzhou", "/v1/events", asSent);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      // A case it reports is its own to append to, decided from its inbox and outbox alone.
      const { origin: _caseOrigin, ...caseSent } = eventOf("case.reported", { origin: "suzhou" });
      const caseWhileCut = await call("suzhou", "/v1/events", caseSent);
      expect(caseWhileCut.status, JSON.stringify(caseWhileCut.body)).toBe(202);
      const { origin: _closedOrigin, ...closedSent } = eventOf("case.closed", {
        origin: "suzhou",
        subject: caseSent.subject,
      });
      expect((await call("suzhou", "/v1/events", closedSent)).status).toBe(202);
      expect((await call("suzhou", passUrl)).body.status).toBe("valid");
      const history = await call("suzhou", "/v1/events?type=pass.issued");
      expect(JSON.stringify(history.body)).toContain(pass.subject);

      cutOff.healLink();
      const healed = Date.now();
      await waitFor(
        "suzhou's event in shanghai's inbox",
        async () =>
          (await shanghai.lastEvent({ origin: "suzhou", type: "policy.changed", key: duringCut.subject }))
            ?.event.id === accepted.body.id,
      );
      report("leaf gateway (suzhou)", {
        otherCityRefused: elsewhere.status,
        acceptedWhileCut: accepted.status,
        caseReportWhileCut: caseWhileCut.status,
        passCheckedWhileCut: "valid",
        secondsCut: (healed - cutAt) / 1000,
        secondsToReachShanghaiAfterHeal: (Date.now() - healed) / 1000,
      });
    } finally {
      await gateway.close();
      await projector.stop();
      for (const bus of buses) await bus.close();
    }
  });
});
