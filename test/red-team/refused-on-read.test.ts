// Attack: Huzhou's own NATS user, with a raw client, stores on its own subjects — truthfully as
// Huzhou — what no decider lets it say: a revocation of Shanghai's pass, a risk level for a Shanghai
// district. NATS lets it (the subject is Huzhou's) and the body agrees with the subject, so only the
// deciders can tell: the relays ask them again on read, and no city's systems get the forgery.
import { createCityRelay, newWebhookSecret, startWebhookSink } from "@tongbao/city-relay";
import { METRO_ORIGIN, overdueKey, prepareEvent, subjectOfValidEvent } from "@tongbao/events";
import { type City, metroViewOf } from "@tongbao/metro";
import { createLogger } from "@tongbao/service-kit";
import { eventOf, storeMetro, uniqueKey } from "@tongbao/testkit";
import { createWatchdog } from "@tongbao/watchdog";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../topology/support.ts";
import { type SecuredServer, startSecured } from "./secured.ts";

const CITIES = ["shanghai", "huzhou", "suzhou"] as const;
const logger = createLogger("red-team-refused-on-read", "silent");
const secrets = { suzhou: newWebhookSecret() };
const metro = storeMetro(CITIES);

let secured: SecuredServer;
beforeAll(async () => {
  secured = await startSecured(CITIES);
});
afterAll(async () => {
  await secured?.[Symbol.asyncDispose]();
});

describe("what a decider refuses, stored by a raw client on its own subjects", () => {
  it("never reaches a city's webhook: Suzhou's relay dead-letters it as refused, and delivers the rest", async () => {
    const shanghai = await secured.as("shanghai");
    const huzhou = await secured.as("huzhou");
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
    // Complete, valid bodies that say they are Huzhou's, stored where Huzhou may publish.
    const forged = [
      prepareEvent({ ...eventOf("pass.revoked", { subject: passId, source: undefined }), origin: "huzhou" }),
      prepareEvent({
        ...eventOf("risk.changed", { subject: "shanghai-centre", source: undefined }),
        origin: "huzhou",
        data: { level: "high", effectiveFrom: "2020-02-20T00:00:00+08:00", measures: [] },
      }),
    ];
    for (const body of forged) await huzhouRaw.js.publish(subjectOfValidEvent(body), JSON.stringify(body));
    // What Huzhou may say, said through the SDK: it comes through.
    const own = await huzhou.publish(eventOf("policy.changed", { origin: "huzhou", source: undefined }));

    const sink = await startWebhookSink({ secrets });
    const suzhou: City = {
      ...(metro.cities.find((c) => c.id === "suzhou") as City),
      delivery: {
        kind: "webhook",
        urls: [`${sink.url}/hooks/suzhou`],
        secret: { env: "UNUSED" },
        timeoutMs: 2_000,
      },
    };
    // The watchdog, with a one-second deadline: nobody acknowledges the forgeries.
    const watchdog = await createWatchdog({
      bus: await secured.as("watchdog", { metro: metroViewOf(metro) }),
      metro: { ...metro, acknowledgeWithinSeconds: 1 },
      logger,
    });
    const relay = await createCityRelay({
      bus: await secured.as("suzhou", { metro: metroViewOf(metro) }),
      city: suzhou,
      secret: secrets.suzhou,
      logger,
    });
    try {
      const operator = await secured.as("operator");
      const refused = async () =>
        (await operator.deadLetters.list({ consumer: "suzhou-relay" })).filter((l) => l.reason === "refused");
      await waitFor("a dead letter per forgery", async () => (await refused()).length === 2);
      await waitFor("Huzhou's own policy at Suzhou's webhook", () =>
        sink.received("suzhou").some((n) => n.id === own.id),
      );
      expect(
        sink
          .received("suzhou")
          .map((n) => n.id)
          .sort(),
      ).toEqual([pass.id, own.id].sort());
      const letters = await refused();
      expect(letters.map((l) => l.error).join("\n")).toMatch(/refused on read: .*shanghai/);
      expect(letters.every((l) => l.subject.startsWith("evt.huzhou."))).toBe(true);

      // No alarm for what was never a notice; Shanghai, which runs no relay here, is late on the rest.
      const overdue = (origin: string, id: string) =>
        operator.lastEvent({ origin: METRO_ORIGIN, type: "notice.overdue", key: overdueKey(origin, id) });
      await waitFor(
        "notice.overdue for Huzhou's own policy",
        async () => (await overdue("huzhou", own.id)) !== null,
      );
      for (const body of forged) expect(await overdue("huzhou", body.id)).toBeNull();
      const watchdogLetters = await operator.deadLetters.list({ consumer: "metro-watchdog" });
      expect(watchdogLetters.filter((l) => l.reason === "refused")).toHaveLength(2);
    } finally {
      await watchdog.stop();
      await relay.stop();
      await sink.close();
    }
  });
});
