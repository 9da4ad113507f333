import { type Bus, connectBus, DOMAIN_LOCAL_SUBJECTS, type Published } from "@tongbao/bus";
import { startLeafMetro } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { broadcasts, compare, publishAll, report, waitFor } from "./support.ts";

const CITIES = ["hangzhou", "suzhou", "ningbo"] as const;
const PER_PHASE = Number(process.env.TONGBAO_LEAF_EVENTS ?? 500);

const inboxOf = async (bus: Bus) => {
  const stored: { origin: string; id: string }[] = [];
  for await (const { event } of bus.replay()) stored.push({ origin: event.origin, id: event.id });
  return stored;
};

describe("a leaf metro: a hub and one leaf node per city, each its own JetStream domain", () => {
  it("a city cut off keeps publishing; after healing every inbox has every event once, in order", async () => {
    await using metro = await startLeafMetro({ cities: CITIES, linkDeny: DOMAIN_LOCAL_SUBJECTS });
    await using hub = await connectBus({
      servers: metro.hub.urls,
      name: "hub",
      mode: { kind: "hub", cities: CITIES },
    });
    const buses: Record<string, Bus> = {};
    for (const city of CITIES) {
      buses[city] = await connectBus({
        servers: metro.cities[city]?.url ?? "",
        name: `${city}-test`,
        mode: { kind: "leaf", city },
      });
    }
    const bus = (city: string) => buses[city] as Bus;
    const published = new Map<string, Published[]>(CITIES.map((city) => [city, []]));
    const publishPhase = (label: string) =>
      Promise.all(
        CITIES.map(async (city) => {
          published.get(city)?.push(...(await publishAll(bus(city), broadcasts(city, PER_PHASE, label))));
        }),
      );
    try {
      await publishPhase("before");
      const cutOff = metro.cities.suzhou;
      if (cutOff === undefined) throw new Error("no suzhou");
      await waitFor("every inbox to have the first phase", async () => {
        for (const city of CITIES)
          if ((await bus(city).lastSeq("events")) < CITIES.length * PER_PHASE) return false;
        return true;
      });

      cutOff.cutLink();
      await waitFor("suzhou's link to be down", async () => !(await cutOff.isLinked()));
      await publishPhase("during");
      // Suzhou's people still read what it had: its inbox answers from its own server.
      expect((await inboxOf(bus("suzhou"))).length).toBeGreaterThanOrEqual(CITIES.length * PER_PHASE);
      // The hub sees the cut as a source that has not been heard from: `active` grows.
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const sources = (await hub.streamsReport()).find((s) => s.name === "EVENTS")?.sources ?? [];
      const staleMs = sources.find((s) => s.api === "$JS.suzhou.API")?.activeMs ?? 0;
      const freshMs = sources.find((s) => s.api === "$JS.ningbo.API")?.activeMs ?? Number.POSITIVE_INFINITY;
      expect(staleMs).toBeGreaterThan(2_000);
      expect(freshMs).toBeLessThan(staleMs);

      const healed = Date.now();
      cutOff.healLink();
      const total = CITIES.length * 2 * PER_PHASE;
      await waitFor("every inbox to have every event", async () => {
        for (const city of CITIES) if ((await bus(city).lastSeq("events")) < total) return false;
        return true;
      });
      const seconds = (Date.now() - healed) / 1000;

      const expected = new Map(
        [...published].map(([city, list]) => [
          city,
          [...list].sort((a, b) => a.seq - b.seq).map((p) => p.id),
        ]),
      );
      for (const city of CITIES) {
        const figures = compare(expected, await inboxOf(bus(city)));
        report(`leaf metro, ${city}'s inbox (suzhou cut off)`, {
          ...figures,
          secondsToConverge: seconds,
          staleActiveMs: staleMs,
          freshActiveMs: freshMs,
        });
        expect(figures).toMatchObject({
          published: total,
          stored: total,
          lost: 0,
          duplicated: 0,
          outOfOrder: 0,
        });
      }
      // Two cities using the same event id: Nats-Msg-Id is <origin>:<id>, so neither stalls the other.
      const id = "0190d2a4-0000-7000-8000-000000000001";
      for (const city of ["hangzhou", "ningbo"]) {
        await bus(city).publish({ ...broadcasts(city, 1, "same-id")[0], id } as Parameters<
          Bus["publish"]
        >[0]);
      }
      await waitFor("both events with the same id in every inbox", async () => {
        for (const city of CITIES) if ((await bus(city).lastSeq("events")) < total + 2) return false;
        return true;
      });
      const hubFigures = compare(expected, await inboxOf(hub));
      expect(hubFigures).toMatchObject({ stored: total + 2, lost: 0, duplicated: 1 });
      report("leaf metro, same event id from two cities", {
        storedInEveryInbox: 2,
        messageIds: ["hangzhou:…", "ningbo:…"],
      });
    } finally {
      for (const city of CITIES) await buses[city]?.close();
    }
  });
});
