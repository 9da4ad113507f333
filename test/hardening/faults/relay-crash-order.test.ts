// The README's promise that an aggregate's notices reach a city in order, tried as an outside tester
// did: notices on many aggregates to many cities, the relays' process killed -9 at a third delivered
// and restarted. A city's system acts on the first delivery of each webhook-id (the sink does), so
// what it saw per aggregate, first receipts in arrival order, must be the order the stream stored.
import { connectBus } from "@tongbao/bus";
import { type ReceivedNotice, startWebhookSink } from "@tongbao/city-relay";
import { eventOf, startNats } from "@tongbao/testkit";
import { expect, it } from "vitest";
import { waitFor, writeMetro } from "../../support/metro.ts";
import { processes, report, scratch } from "./support.ts";

const NOTICES = Number(process.env.TONGBAO_ORDER_NOTICES ?? 3_000);
const AGGREGATES = 60;
const CITIES = 8;

/** Per city: aggregates whose first receipts are out of stream order, and those left on an old notice. */
const orderOf = (received: readonly ReceivedNotice[], stored: ReadonlyMap<string, readonly string[]>) => {
  const aggregateOf = new Map<string, string>();
  for (const [aggregate, ids] of stored) for (const id of ids) aggregateOf.set(id, aggregate);
  const seen = new Map<string, string[]>();
  for (const notice of received) {
    const aggregate = aggregateOf.get(notice.id);
    if (aggregate !== undefined) seen.set(aggregate, [...(seen.get(aggregate) ?? []), notice.id]);
  }
  let inversions = 0;
  let staleLast = 0;
  for (const [aggregate, ids] of stored) {
    const got = seen.get(aggregate) ?? [];
    const rank = new Map(ids.map((id, i) => [id, i]));
    for (let i = 1; i < got.length; i++) {
      if ((rank.get(got[i] as string) ?? 0) < (rank.get(got[i - 1] as string) ?? 0)) inversions++;
    }
    if (got.at(-1) !== ids.at(-1)) staleLast++;
  }
  return { inversions, staleLast };
};

it(`relays killed -9 at a third of ${NOTICES} notices to ${CITIES - 1} cities keep each aggregate in order`, {
  timeout: 240_000,
}, async () => {
  await using tmp = await scratch("relay-order");
  await using nats = await startNats();
  // Real districts: the relays decide each notice on read, and a district the metro lacks is refused.
  const files = await writeMetro(tmp.dir, { generatedCities: CITIES, districtsPerCity: AGGREGATES + 1 });
  const cities = files.metro.cities.map((c) => c.id);
  const [from, ...receivers] = cities as [string, ...string[]];
  const sink = await startWebhookSink({ port: files.sinkPort, secrets: files.secrets });
  await using procs = processes(tmp.dir);
  const bus = await connectBus({ servers: nats.url, name: "relay-order-test" });
  try {
    const env = { CITIES: "all", NATS_URL: nats.url, METRO: files.metroFile, LOG_LEVEL: "warn" };
    const script = "services/city-relay/src/main.ts";
    const opsPort = files.opsPortOf("relays");
    const relays = await procs.startReady("relays", script, env, opsPort);

    // Each aggregate (a district's risk level) gets its notices one after another, interleaved with the others.
    const inputs = Array.from({ length: NOTICES }, (_, i) =>
      eventOf("risk.changed", { origin: from, subject: `${from}-d${(i % AGGREGATES) + 1}` }),
    );
    const stored = new Map<string, { id: string; seq: number }[]>();
    const publishing = (async () => {
      for (const outcome of await bus.publishMany(inputs, { window: 64 })) {
        if (!outcome.ok) throw outcome.error;
        const { id, seq, subject } = outcome.published;
        const aggregate = subject.split(".").at(-1) as string;
        stored.set(aggregate, [...(stored.get(aggregate) ?? []), { id, seq }]);
      }
    })();
    const total = NOTICES * receivers.length;
    const delivered = () => receivers.reduce((sum, city) => sum + sink.received(city).length, 0);
    await waitFor("a third of the notices delivered", () => delivered() >= total / 3, 120_000);
    await procs.kill(relays);
    const atKill = delivered();
    await publishing;

    const restarted = performance.now();
    await procs.startReady("relays", script, env, opsPort);
    await waitFor("every notice at every city", () => delivered() >= total, 180_000);
    const seconds = (performance.now() - restarted) / 1000;

    const inStreamOrder = new Map(
      [...stored].map(([aggregate, ids]) => [aggregate, ids.sort((a, b) => a.seq - b.seq).map((p) => p.id)]),
    );
    const perCity = receivers.map((city) => ({ city, ...orderOf(sink.received(city), inStreamOrder) }));
    const disordered = perCity.filter((c) => c.inversions > 0 || c.staleLast > 0);
    const repeats = receivers.reduce(
      (sum, city) => sum + sink.received(city).reduce((n, notice) => n + notice.repeats, 0),
      0,
    );
    report("relays kill -9, order per aggregate", {
      notices: NOTICES,
      cities: receivers.length,
      deliveredBeforeKill: atKill,
      citiesOutOfOrder: disordered.length,
      inversions: perCity.reduce((sum, c) => sum + c.inversions, 0),
      leftOnAnOldNotice: perCity.reduce((sum, c) => sum + c.staleLast, 0),
      repeatsAbsorbedByWebhookId: repeats,
      secondsFromRestartToAll: seconds,
    });
    for (const city of receivers) expect(new Set(sink.received(city).map((n) => n.id)).size).toBe(NOTICES);
    expect(disordered).toEqual([]);
  } finally {
    await bus.close();
    await procs[Symbol.asyncDispose]();
    await sink.close();
  }
});
