// A city's own gateway and projector on its leaf node, under the `<city>-services` user generated for
// each leaf (infra/nats/permissions.ts): they do their real work there, and NATS itself refuses them
// another city's name and any relay's durable. The city's own user still cannot make read models.
import { randomBytes } from "node:crypto";
import {
  type Bus,
  connectBus,
  DOMAIN_LOCAL_SUBJECTS,
  PermissionDeniedError,
  streamNamesOf,
} from "@tongbao/bus";
import { createProjector, passesModel } from "@tongbao/projections";
import { eventOf, startLeafMetro, storeMetro } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import {
  leafLinkUsersOf,
  leafUserOf,
  leafUsersOf,
  type NatsUser,
  usersOf,
} from "../../infra/nats/permissions.ts";
import { renderAuthorization } from "../../infra/nats/render.ts";
import { report, serveLeafGateway, waitFor } from "./support.ts";

const CITIES = ["shanghai", "suzhou", "hangzhou"] as const;
const DENIED = /Permissions Violation|NATS denied/i;
const tokens: Record<string, string> = { shanghai: "sh-svc-1", suzhou: "sz-svc-2", hangzhou: "hz-svc-3" };
const metro = storeMetro(CITIES);

// nats-server parses an environment value as a config value: a password starts with a letter.
const password = () => `pw${randomBytes(12).toString("hex")}`;
const passwords = new Map<string, string>();
/** The server reads each password from its environment, as in production. */
const withPasswords = (users: readonly NatsUser[]) => {
  for (const u of users) {
    if (!passwords.has(u.user)) passwords.set(u.user, password());
    process.env[u.passwordEnv] = passwords.get(u.user);
  }
  return users;
};

describe("a city's own gateway and projector on its leaf node, under <city>-services", () => {
  it("fold, ingest and check a pass on Suzhou's leaf; refused another city's name and durables", async () => {
    const hubUsers = withPasswords([
      ...usersOf([], CITIES, streamNamesOf({ kind: "hub", cities: CITIES }), true),
      ...leafLinkUsersOf(CITIES),
    ]);
    const leafUsers = Object.fromEntries(
      CITIES.map((city) => [city, withPasswords(leafUsersOf(city, CITIES))]),
    );
    await using leaf = await startLeafMetro({
      cities: CITIES,
      linkDeny: DOMAIN_LOCAL_SUBJECTS,
      hubConfig: renderAuthorization(hubUsers),
      cityConfig: (city) => renderAuthorization(leafUsers[city] ?? []),
      linkCredentials: (city) => ({
        user: leafUserOf(city),
        password: passwords.get(leafUserOf(city)) ?? "",
      }),
    });
    const opened: Bus[] = [];
    const as = async (user: string, where: string) => {
      const bus = await connectBus({
        servers: where === "hub" ? leaf.hub.urls : (leaf.cities[where]?.url ?? ""),
        name: `${user}@${where}`,
        mode: where === "hub" ? { kind: "hub", cities: CITIES } : { kind: "leaf", city: where },
        credentials: { kind: "user", user, password: passwords.get(user) ?? "" },
        // Only admin creates the topology; services run with NATS_TOPOLOGY=off.
        ...(user === "admin" ? {} : { topology: false as const }),
      });
      opened.push(bus);
      return bus;
    };
    const closing: (() => Promise<unknown>)[] = [];
    try {
      // The hub's admin creates the hub's streams.
      await as("admin", "hub");
      const admins = new Map<string, Bus>();
      for (const city of CITIES) admins.set(city, await as("admin", city));
      const suzhouAdmin = admins.get("suzhou") as Bus;
      const shanghai = await as("shanghai", "shanghai");
      const suzhou = await as("suzhou", "suzhou");

      // Least privilege: Suzhou's own user (its systems, its relay) cannot make the read models.
      const plain = createProjector({ bus: suzhou });
      await expect(plain.ready).rejects.toThrow(DENIED);
      await plain.stop();
      const passesBucket = suzhouAdmin.connection.jsm.streams.info(`KV_${passesModel.bucket}`);
      await expect(passesBucket).rejects.toThrow(/not found/i);

      const services = await as("suzhou-services", "suzhou");
      const projector = createProjector({ bus: services, flushEveryMs: 50 });
      closing.push(() => projector.stop());
      await projector.ready;
      const gateway = await serveLeafGateway({ bus: services, metro, tokens, serves: ["suzhou"] });
      closing.push(gateway.close);
      const { call } = gateway;

      // A pass Shanghai issues on its own leaf is folded on Suzhou's and checked at Suzhou's gateway.
      const issuedAt = Date.now();
      const pass = eventOf("pass.issued", { origin: "shanghai", data: { validIn: ["shanghai", "suzhou"] } });
      const issued = await shanghai.publish(pass);
      const passUrl = `/v1/passes/${pass.subject}?at=2020-03-02T08:00:00%2B08:00`;
      await waitFor(
        "Shanghai's pass at Suzhou's gateway",
        async () => (await call("suzhou", passUrl)).body.status === "valid",
        20_000,
      );
      const secondsToValid = (Date.now() - issuedAt) / 1000;

      // Suzhou's systems publish through it into Suzhou's outbox; Shanghai reads it from its inbox.
      const { origin: _o, ...asSent } = eventOf("policy.changed", { origin: "suzhou" });
      const accepted = await call("suzhou", "/v1/events", asSent);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
      await waitFor(
        "Suzhou's event in Shanghai's inbox",
        async () =>
          (await shanghai.lastEvent({ origin: "suzhou", type: "policy.changed", key: asSent.subject }))?.event
            .id === accepted.body.id,
        20_000,
      );
      const { origin: _t, ...traceRequest } = eventOf("trace.requested", { origin: "suzhou" });
      const directed = await call("suzhou", "/v1/events", traceRequest);
      expect(directed.status, JSON.stringify(directed.body)).toBe(202);
      // A case report is decided from Suzhou's inbox and outbox, and checked by the outbox itself.
      const { origin: _c, ...caseReport } = eventOf("case.reported", { origin: "suzhou" });
      const reported = await call("suzhou", "/v1/events", caseReport);
      expect(reported.status, JSON.stringify(reported.body)).toBe(202);
      // The next append finds the case in Suzhou's own outbox before the hub has it.
      const { origin: _r, ...reclassified } = eventOf("case.reclassified", {
        origin: "suzhou",
        subject: caseReport.subject,
      });
      const appended = await call("suzhou", "/v1/events", reclassified);
      expect(appended.status, JSON.stringify(appended.body)).toBe(202);
      // Suzhou's own systems, as the plain city user, report and append to cases the same way.
      const ownReport = eventOf("case.reported", { origin: "suzhou", source: undefined });
      const ownStored = await suzhou.publish(ownReport);
      expect(ownStored.duplicate).toBe(false);
      const ownClosed = await suzhou.publish(
        eventOf("case.closed", { origin: "suzhou", subject: ownReport.subject, source: undefined }),
      );
      expect(ownClosed.seq).toBeGreaterThan(ownStored.seq);
      const receipts = await call("suzhou", `/v1/notices/${issued.id}/receipts`);
      expect(receipts.status, JSON.stringify(receipts.body)).toBe(200);
      expect(receipts.body.pending).toEqual(["suzhou", "hangzhou"]);
      // The projector drops and refills its buckets.
      const rebuilt = await projector.rebuild();
      expect((await call("suzhou", passUrl)).body.status).toBe("valid");

      // Refused: Shanghai's name, at the gateway and, underneath it, by NATS itself.
      const { origin: _s, ...spoofSent } = eventOf("policy.changed", { origin: "shanghai" });
      const atGateway = await call("shanghai", "/v1/events", spoofSent);
      expect(atGateway.status).toBe(403);
      const spoof = services.publish(eventOf("pass.issued", { origin: "shanghai", source: undefined }));
      await expect(spoof).rejects.toThrow(PermissionDeniedError);
      const spoofDirect = services.publish(
        eventOf("trace.requested", { origin: "shanghai", source: undefined }),
      );
      await expect(spoofDirect).rejects.toThrow(PermissionDeniedError);

      // Refused: a relay's durable on Suzhou's inbox, another city's or Suzhou's own.
      const inbox = streamNamesOf({ kind: "leaf", city: "suzhou" }).events;
      for (const [bus, city] of [
        [suzhouAdmin, "hangzhou"],
        [suzhou, "suzhou"],
      ] as const) {
        const relay = await bus.subscribe({ city, service: "relay", handler: async () => {} });
        await relay.stop();
      }
      const durableRefusals = await Promise.all(
        ["hangzhou-relay", "suzhou-relay"].flatMap((durable) => [
          services.connection.jsm.consumers.info(inbox, durable).then(
            () => "allowed",
            (error: Error) => (DENIED.test(error.message) ? "refused" : error.message),
          ),
          services.connection.nc.request(`$JS.API.CONSUMER.MSG.NEXT.${inbox}.${durable}`, '{"batch":1}').then(
            () => "allowed",
            (error: Error) => (DENIED.test(error.message) ? "refused" : error.message),
          ),
        ]),
      );
      expect(durableRefusals).toEqual(["refused", "refused", "refused", "refused"]);

      report("leaf services permissions (suzhou-services on suzhou's leaf)", {
        plainCityMakesReadModels: "refused",
        secondsToValidPass: secondsToValid,
        ingest: accepted.status,
        directedIngest: directed.status,
        caseReport: reported.status,
        caseAppend: appended.status,
        plainCityCaseReport: "stored, decided on the leaf",
        receipts: receipts.status,
        rebuiltEvents: rebuilt.events,
        gatewayRefusesShanghai: atGateway.status,
        natsRefusesShanghai: "PermissionDeniedError (broadcast and directed)",
        relayDurables: "refused (info, pull)",
      });
    } finally {
      for (const close of closing.reverse()) await close().catch(() => undefined);
      for (const bus of opened) await bus.close();
    }
  });
});
