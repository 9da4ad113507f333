// A relay killed -9 in the middle of a burst: after its restart every notice reached the city's
// webhook at least once, and the city's system (de-duplicating on webhook-id) acted on each once.
import { connectBus } from "@tongbao/bus";
import { startWebhookSink } from "@tongbao/city-relay";
import { eventOf, startNats } from "@tongbao/testkit";
import { expect, it } from "vitest";
import { waitFor, writeMetro } from "../../support/metro.ts";
import { processes, report, scratch, tally } from "./support.ts";

const BURST = 10_000;
const KILL_AFTER = 2_500;

it(`a relay killed -9 during a ${BURST}-event burst delivers every notice, each acted on once`, {
  timeout: 120_000,
}, async () => {
  await using tmp = await scratch("relay-kill");
  await using nats = await startNats();
  const files = await writeMetro(tmp.dir, { generatedCities: 2 });
  const [from, to] = files.metro.cities.map((c) => c.id) as [string, string];
  const sink = await startWebhookSink({ port: files.sinkPort, secrets: files.secrets });
  await using procs = processes(tmp.dir);
  const bus = await connectBus({ servers: nats.url, name: "relay-kill-test" });
  try {
    const env = { CITY: to, NATS_URL: nats.url, METRO: files.metroFile, LOG_LEVEL: "warn" };
    const script = "services/city-relay/src/main.ts";
    const opsPort = files.opsPortOf(`relay-${to}`);
    const relay = await procs.startReady(`relay-${to}`, script, env, opsPort);

    const published = new Set<string>();
    const publishing = (async () => {
      for (let i = 0; i < BURST; i += 500) {
        const batch = Array.from({ length: Math.min(500, BURST - i) }, () =>
          eventOf("policy.changed", { origin: from, data: { scope: { city: from } } }),
        );
        for (const outcome of await bus.publishMany(batch)) {
          if (!outcome.ok) throw outcome.error;
          published.add(outcome.published.id);
        }
      }
    })();
    await waitFor("the relay to be in the middle of the burst", () => sink.received(to).length >= KILL_AFTER);
    await procs.kill(relay);
    const atKill = sink.received(to).length;
    await publishing;
    expect(published.size).toBe(BURST);

    const restarted = performance.now();
    await procs.startReady(`relay-${to}`, script, env, opsPort);
    // What the killed relay had fetched but not acknowledged comes back only once its ack wait (30 s)
    // expires; everything else flows at once.
    let mostAt: number | undefined;
    await waitFor(
      "every notice at the city's webhook",
      () => {
        const count = sink.received(to).length;
        if (mostAt === undefined && count >= BURST * 0.99) mostAt = performance.now();
        return count >= BURST;
      },
      50_000,
    );
    const seconds = (performance.now() - restarted) / 1000;
    const got = tally(sink.received(to));
    const acted = new Set(sink.received(to).map((n) => n.id));
    const lost = [...published].filter((id) => !acted.has(id)).length;
    report("relay kill -9", {
      events: BURST,
      deliveredBeforeKill: atKill,
      actedOn: got.notices,
      distinct: got.distinct,
      repeats: got.repeats,
      lost,
      secondsFromRestartTo99Percent: ((mostAt ?? Number.NaN) - restarted) / 1000,
      secondsFromRestartToAll: seconds,
    });
    expect(lost).toBe(0);
    // Acted on exactly once: one record per webhook-id, and nothing beyond the published notices.
    expect(got.notices).toBe(BURST);
    expect(got.distinct).toBe(BURST);
    expect(acted.size).toBe(BURST);
  } finally {
    await bus.close();
    await procs[Symbol.asyncDispose]();
    await sink.close();
  }
});
