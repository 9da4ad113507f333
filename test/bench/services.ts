// Run: `pnpm bench` (or `node test/bench/services.ts`; env FANOUT_RATE, FANOUT_SECONDS,
// FANOUT_WARM_UP_SECONDS, FANOUT_CITIES, FANOUT_RELAY_PROCESSES=per-city, FANOUT_METRO=off,
// FANOUT_METRO_SECONDS (the 40-city batched run), FANOUT_COST=off, FANOUT_COST_SECONDS, FANOUT_COST_DELIVERIES
// (the cost per delivery at 8, 40 and 128 cities, and relay sdk/raw),
// INGEST_EVENTS, INGEST_ROUNDS, INGEST_WINDOW, INGEST_CLIENT=undici, INGEST_WRK_SECONDS). Every service runs as its own process, as `pnpm start` runs them.
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { connectBus } from "@tongbao/bus";
import type { EventInput } from "@tongbao/events";
import { createProjector } from "@tongbao/projections";
import { eventOf, startNats } from "@tongbao/testkit";
import { Pool } from "undici";
import { startMetroServices } from "../../infra/start/metro.ts";
import { createSupervisor, waitReady } from "../../infra/start/processes.ts";
import { root, servicesOf, writeMetro } from "../support/metro.ts";
import { cpuShares, sharesText } from "./cpu.ts";
import { hasWrk, type WrkPost, wrkRound } from "./wrk.ts";

const RATE = Number(process.env.FANOUT_RATE ?? 200);
const SECONDS = Number(process.env.FANOUT_SECONDS ?? 60);
const WARM_UP_SECONDS = Number(process.env.FANOUT_WARM_UP_SECONDS ?? 5);
const CITIES = Number(process.env.FANOUT_CITIES ?? 16);
const INGEST_EVENTS = Number(process.env.INGEST_EVENTS ?? 10_000);
const WINDOW = Number(process.env.INGEST_WINDOW ?? 32);
const INGEST_ROUNDS = Number(process.env.INGEST_ROUNDS ?? 11);
const WRK_SECONDS = Number(process.env.INGEST_WRK_SECONDS ?? 1);
const TARGETS = { fanoutP99Ms: 100, metroFanoutP99Ms: 1_000, ingestRatio: 0.4 } as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

type FanoutSync = "always" | "2m";

/**
 * A metro on a server with the given fsync policy, every service as its own process, and the
 * fan-out measured on it. Under `always` every receipt write is fsynced (receipts are
 * group-committed, so a write carries many); both are printed, neither is turned off.
 */
interface FanoutShape {
  readonly cities: number;
  readonly rate: number;
  readonly seconds: number;
  /** Every city on batched webhooks (its metro definition's `delivery.batch`). */
  readonly batch?: { readonly maxNotices: number; readonly maxWaitMs: number };
  /** After the run, a wave at this rate for these seconds (printed on its own line). */
  readonly burst?: { readonly rate: number; readonly seconds: number };
}
const DEFAULT_SHAPE: FanoutShape = { cities: CITIES, rate: RATE, seconds: SECONDS };

const metroFor = async (sync: FanoutSync, shape: FanoutShape = DEFAULT_SHAPE) => {
  const dir = await mkdtemp(join(tmpdir(), "tongbao-bench-"));
  const nats = await startNats({ syncInterval: sync });
  const files = await writeMetro(dir, {
    generatedCities: shape.cities,
    ...(shape.batch === undefined ? {} : { batch: shape.batch }),
  });
  const services = await startMetroServices({
    ...servicesOf(files, nats.url, dir),
    // 128 cities' relays in one process make hundreds of consumers before they are ready.
    readyTimeoutMs: 180_000,
    relayProcesses,
    env: {
      LOG_LEVEL: "warn",
      ...(process.env.BENCH_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }),
    },
  });
  const bus = await connectBus({ servers: nats.url, name: "bench-services" });
  return { dir, nats, files, services, bus, cityIds: files.metro.cities.map((c) => c.id) };
};
// FANOUT_RELAY_PROCESSES=per-city runs a relay process per city, as when each city runs its own.
const relayProcesses = process.env.FANOUT_RELAY_PROCESSES === "per-city" ? "per-city" : "shared";

const measureFanout = async (
  { services, bus, cityIds }: Awaited<ReturnType<typeof metroFor>>,
  sync: FanoutSync,
  { cities: CITIES, rate: RATE, seconds: SECONDS, batch, burst }: FanoutShape = DEFAULT_SHAPE,
): Promise<FanoutRun> => {
  const sinkUrl = services.sinkUrl as string;
  // --- Fan-out: a steady rate from every city in turn; each event goes to the other cities' webhooks.
  console.log(
    `fanout (sync_interval: ${sync}): ${Number(RATE.toFixed(1))} events/s for ${SECONDS} s to a metro of ${CITIES} cities, their relays ${relayProcesses === "shared" ? "in one process" : "in a process each"}, ${batch === undefined ? "one notice per request" : `batches of up to ${batch.maxNotices} notices or ${batch.maxWaitMs} ms`}`,
  );
  /** Publishes `seconds` of the steady rate; every webhook of it delivered before it returns. */
  const publishAtRate = async (seconds: number, alreadyDelivered: number, rate = RATE) => {
    const count = Math.round(rate * seconds);
    const from = performance.now();
    const publishing: Promise<unknown>[] = [];
    for (let i = 0; i < count; i++) {
      const wait = from + (i * 1000) / rate - performance.now();
      if (wait > 0) await sleep(wait);
      const origin = cityIds[i % cityIds.length] as string;
      const time = new Date().toISOString();
      publishing.push(
        bus.publish(eventOf("policy.changed", { origin, time, data: { scope: { city: origin } } })),
      );
    }
    const ids = new Set((await Promise.all(publishing)).map((p) => (p as { id: string }).id));
    const expected = alreadyDelivered + count * (CITIES - 1);
    const drainFrom = performance.now();
    for (let last = -1, idle = 0; ; ) {
      const delivered = await deliveredInAll();
      if (delivered >= expected) break;
      idle = delivered === last ? idle + 1 : 0;
      if (idle > 60) throw new Error(`fanout stalled at ${delivered} of ${expected} deliveries`);
      last = delivered;
      await sleep(500);
    }
    return { ids, count, drainSeconds: (performance.now() - drainFrom) / 1000 };
  };
  const deliveredInAll = async () => {
    const perCity = (await (await fetch(`${sinkUrl}/hooks`)).json()) as Record<string, number>;
    return Object.values(perCity).reduce((a, b) => a + b, 0);
  };
  // Warm-up, not counted: the first notices pay for the processes' start (JIT, connections, consumers).
  const before = await deliveredInAll();
  const warmUp = await publishAtRate(WARM_UP_SECONDS, before);
  console.log(`  warm-up: ${warmUp.count} events over ${WARM_UP_SECONDS} s, not counted`);
  const started = performance.now();
  const fanoutCpu = cpuShares();
  const run = await publishAtRate(SECONDS, before + warmUp.count * (CITIES - 1));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = fanoutCpu();
  const total = run.count;
  const expected = total * (CITIES - 1);
  const latencies: number[] = [];
  // Deliveries slower than the target, by the second of the run their event was published in: a tail
  // spread evenly is a busy machine, one bunched in a few seconds is a stall somewhere.
  const slowBySecond = new Map<number, number>();
  const startedAt = Date.now() - (performance.now() - started);
  const receivedBy = async (city: string) =>
    (await (await fetch(`${sinkUrl}/hooks/${city}`)).json()) as {
      id: string;
      latencyMs: number;
      time: string;
    }[];
  for (const city of cityIds) {
    for (const notice of await receivedBy(city)) {
      if (!run.ids.has(notice.id)) continue;
      latencies.push(notice.latencyMs);
      if (notice.latencyMs <= TARGETS.fanoutP99Ms) continue;
      const second = Math.floor((Date.parse(notice.time) - startedAt) / 1000);
      slowBySecond.set(second, (slowBySecond.get(second) ?? 0) + 1);
    }
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `  every webhook delivered ${run.drainSeconds.toFixed(1)} s after the last publish: ${Math.round(latencies.length / elapsed)} deliveries/s over ${elapsed.toFixed(1)} s`,
  );
  console.log(
    `  published ${total}, delivered ${latencies.length} webhooks (expected ${expected}); publish-to-webhook p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
  );
  console.log(
    `  p90 ${percentile(latencies, 90).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99.9 ${percentile(latencies, 99.9).toFixed(1)} ms, max ${latencies.at(-1)} ms; over 1 s: ${latencies.filter((l) => l > 1000).length}`,
  );
  const slowest = [...slowBySecond].sort((a, b) => b[1] - a[1]).slice(0, 5);
  console.log(
    `  over ${TARGETS.fanoutP99Ms} ms: ${latencies.filter((l) => l > TARGETS.fanoutP99Ms).length}, in ${slowBySecond.size} of ${Math.ceil(SECONDS)} seconds; most in second ${slowest.map(([second, n]) => `${second} (${n})`).join(", ") || "none"}`,
  );
  console.log(`  CPU, % of one core (${availableParallelism()} cores here): ${sharesText(cpu)}`);
  if (burst !== undefined) {
    // After the steady run: a wave (a batch of passes issued at once), then how long until the last
    // city had the wave's last event, from that event's publish to its last webhook.
    const wave = await publishAtRate(burst.seconds, await deliveredInAll(), burst.rate);
    let lastPublishedMs = 0;
    let lastDeliveredMs = 0;
    for (const city of cityIds) {
      for (const notice of await receivedBy(city)) {
        if (!wave.ids.has(notice.id)) continue;
        const publishedMs = Date.parse(notice.time);
        lastPublishedMs = Math.max(lastPublishedMs, publishedMs);
        lastDeliveredMs = Math.max(lastDeliveredMs, publishedMs + notice.latencyMs);
      }
    }
    console.log(
      `burst at ${CITIES} cities, ${burst.rate} ev/s for ${burst.seconds} s, seconds until the last city has the last event: ${((lastDeliveredMs - lastPublishedMs) / 1000).toFixed(1)}   (${wave.count} events, ${wave.count * (CITIES - 1)} webhooks)`,
    );
  }
  const p99 = percentile(latencies, 99);
  return { p99, deliveries: latencies.length, elapsed, cpu };
};

interface FanoutRun {
  readonly p99: number;
  readonly deliveries: number;
  /** Seconds from the first publish of the run to its last webhook. */
  readonly elapsed: number;
  /** Each role's share of one core over those seconds, in %. */
  readonly cpu: Readonly<Record<string, number>>;
}

/** CPU microseconds of the metro's own processes (not this benchmark's) per webhook delivered. */
const costPerDelivery = ({ cpu, elapsed, deliveries }: FanoutRun) => {
  const metroShare = Object.entries(cpu)
    .filter(([role]) => role !== "benchmark" && role !== "ended children")
    .reduce((sum, [, share]) => sum + share, 0);
  return ((metroShare / 100) * elapsed * 1e6) / deliveries;
};

/** Deliveries per CPU-second of one role's processes. */
const perCpuSecond = ({ cpu, elapsed, deliveries }: FanoutRun, role: string) =>
  deliveries / (((cpu[role] ?? Number.NaN) / 100) * elapsed);

const printP99 = (run: FanoutRun, sync: FanoutSync) =>
  console.log(`fanout p99 ms (sync ${sync}): ${run.p99.toFixed(1)}   (target ≤ ${TARGETS.fanoutP99Ms})`);

const closeMetro = async (metro: Awaited<ReturnType<typeof metroFor>>) => {
  await metro.bus.close();
  await metro.services.stop();
  await metro.nats[Symbol.asyncDispose]();
  await rm(metro.dir, { recursive: true, force: true });
};

/**
 * Deliveries per CPU-second of the relays (from `sdk`, a run just made) over those of the minimal
 * loop (raw-relay.ts) on the same metro, receiver and rate, with the relays stopped meanwhile.
 */
const relayOverRaw = async (
  metro: Awaited<ReturnType<typeof metroFor>>,
  shape: FanoutShape,
  sdk: FanoutRun,
): Promise<number> => {
  const { services, nats, files, cityIds } = metro;
  await services.supervisor.stop("relays");
  services.supervisor.start("raw-relay", "test/bench/raw-relay.ts", {
    NATS_URL: nats.url,
    SINK_URL: services.sinkUrl as string,
    RAW_SECRETS: JSON.stringify(files.secrets),
  });
  for (const city of cityIds) {
    for (let tries = 0; ; tries++) {
      const found = await metro.bus.connection.jsm.consumers.info("EVENTS", `raw-${city}`).catch(() => null);
      if (found !== null) break;
      if (tries > 300) throw new Error(`the raw relay made no consumer for ${city}`);
      await sleep(100);
    }
  }
  console.log(
    "  the same, the relays swapped for raw-relay.ts (a consumer per city, signed POSTs, no receipts):",
  );
  const raw = await measureFanout(metro, "always", shape);
  const sdkRate = perCpuSecond(sdk, "relays");
  const rawRate = perCpuSecond(raw, "raw-relay");
  console.log(`  deliveries per CPU-second: relays ${sdkRate.toFixed(0)}, raw loop ${rawRate.toFixed(0)}`);
  return sdkRate / rawRate;
};

// The interval first, on a metro of its own; then the durable metro, which the rest measures.
{
  const interval = await metroFor("2m");
  printP99(await measureFanout(interval, "2m"), "2m");
  await closeMetro(interval);
}
// The metro the design is drawn for: 40 cities at 500 events/s, on batched webhooks, durable.
// FANOUT_METRO=off leaves it out.
if (process.env.FANOUT_METRO !== "off") {
  const shape: FanoutShape = {
    cities: 40,
    rate: 500,
    seconds: Number(process.env.FANOUT_METRO_SECONDS ?? 60),
    batch: { maxNotices: 100, maxWaitMs: 50 },
    burst: { rate: 2_000, seconds: 5 },
  };
  const metro = await metroFor("always", shape);
  const { p99 } = await measureFanout(metro, "always", shape);
  console.log(
    `fanout at 40 cities, 500 ev/s, p99 ms: ${p99.toFixed(1)}   (target ≤ ${TARGETS.metroFanoutP99Ms})`,
  );
  await closeMetro(metro);
}
// The cost of a delivery as the metro grows: the same deliveries per second to 8, 40 and 128
// cities, one notice per request, durable. On the 8-city metro the relay is then swapped for the
// minimal loop of raw-relay.ts, at the same rate, to compare deliveries per CPU-second.
// FANOUT_COST=off leaves it out.
if (process.env.FANOUT_COST !== "off") {
  const perSecond = Number(process.env.FANOUT_COST_DELIVERIES ?? 1_000);
  const seconds = Number(process.env.FANOUT_COST_SECONDS ?? 20);
  const costs: number[] = [];
  let sdkOverRaw = Number.NaN;
  for (const cities of [8, 40, 128]) {
    const shape: FanoutShape = { cities, rate: perSecond / (cities - 1), seconds };
    const metro = await metroFor("always", shape);
    const run = await measureFanout(metro, "always", shape);
    costs.push(costPerDelivery(run));
    if (cities === 8) sdkOverRaw = await relayOverRaw(metro, shape, run);
    await closeMetro(metro);
  }
  const [eight, forty, many] = costs.map((c) => c.toFixed(0));
  console.log(
    `cost per delivery µs: 8 cities ${eight}, 40 cities ${forty}, 128 cities ${many}   (target each ≤ 1.25 × the 8-city figure; ${perSecond} deliveries/s)`,
  );
  console.log(`relay sdk/raw: ${sdkOverRaw.toFixed(2)}   (target ≥ 0.70)`);
}
const durable = await metroFor("always");
printP99(await measureFanout(durable, "always"), "always");
const { dir, files, services, bus, cityIds } = durable;
await using nats = durable.nats;

// --- Gateway ingest: single-event requests over keep-alive connections vs the SDK, same window.
// Measured with the gateway alone: the relays, projector and watchdog would otherwise spend both
// cores on the fan-out of what is ingested (16 cities: 15 webhooks per event) while it is measured.
await services.stop();
const gatewayUrl = `http://127.0.0.1:${files.gatewayPort}`;
const gatewayOnly = createSupervisor(root, join(dir, "logs"), (name, code) => {
  throw new Error(`${name} exited (code ${code})`);
});
gatewayOnly.start("gateway-alone", "services/gateway/src/main.ts", {
  NATS_URL: nats.url,
  METRO: files.metroFile,
  GATEWAY_PORT: String(files.gatewayPort),
  LOG_LEVEL: "warn",
  ...(process.env.BENCH_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }),
});
await waitReady("gateway", `${gatewayUrl}/readyz`);
const ingestOrigin = cityIds[0] as string;
const token = files.tokens[ingestOrigin] as string;
const inputs = (n: number): EventInput[] =>
  Array.from({ length: n }, () =>
    eventOf("policy.changed", {
      origin: ingestOrigin,
      time: new Date().toISOString(),
      data: { scope: { city: ingestOrigin } },
    }),
  );
// Keep-alive connections, one per request in flight (undici: the client's own CPU shares the two
// cores with the gateway and the server, and it costs about half of node:http's per request).
const pool = new Pool(gatewayUrl, { connections: WINDOW });
const postEvent = async (event: EventInput) => {
  const response = await pool.request({
    path: "/v1/events",
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/cloudevents+json" },
    body: JSON.stringify(event),
  });
  await response.body.dump();
  if (response.statusCode !== 202) throw new Error(`gateway answered ${response.statusCode}`);
};
/** Sends `events` with WINDOW in flight; events/s. */
const timed = async (events: EventInput[], send: (event: EventInput) => Promise<void>) => {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (next < events.length) await send(events[next++] as EventInput);
    }),
  );
  return (events.length * 1000) / (performance.now() - t0);
};
const viaSdk = async (event: EventInput) => {
  await bus.publish(event);
};
console.log(
  `ingest: ${INGEST_ROUNDS} rounds, single-event requests with ${WINDOW} in flight against SDK publishes of ${INGEST_EVENTS} events with as many in flight, the gateway alone on the server; sides alternate, medians`,
);
// The gateway's client: wrk where it is installed (apt-get install wrk), else undici in this process.
const wrk = process.env.INGEST_CLIENT !== "undici" && (await hasWrk());
const wrkPost = {
  url: `${gatewayUrl}/v1/events`,
  token,
  event: (({ origin: _origin, ...sent }) => sent)(inputs(1)[0] as EventInput) as WrkPost["event"],
  connections: WINDOW,
  dir,
};
const viaGateway = () => (wrk ? wrkRound(wrkPost, WRK_SECONDS) : timed(inputs(INGEST_EVENTS), postEvent));
console.log(
  `  the gateway's client: ${wrk ? `wrk, ${WINDOW} connections, ${WRK_SECONDS} s a round` : "undici in this process (install wrk for a client that takes less of the shared CPU)"}`,
);
// A warm-up round each, not counted: the gateway's hot path needs a few thousand requests to be
// compiled (its first round ran at 70–80 % of its later ones).
await viaGateway();
await timed(inputs(INGEST_EVENTS), viaSdk);
const rates = { gateway: [] as number[], sdk: [] as number[] };
const cpuOf = { gateway: {} as Record<string, number>, sdk: {} as Record<string, number> };
for (let round = 0; round < INGEST_ROUNDS; round++) {
  const sides = round % 2 === 0 ? (["gateway", "sdk"] as const) : (["sdk", "gateway"] as const);
  for (const side of sides) {
    const shares = cpuShares();
    rates[side].push(await (side === "gateway" ? viaGateway() : timed(inputs(INGEST_EVENTS), viaSdk)));
    if (round === Math.floor(INGEST_ROUNDS / 2)) cpuOf[side] = shares();
  }
}
const gatewayRate = median(rates.gateway);
const sdkRate = median(rates.sdk);
console.log(
  `  gateway ${Math.round(gatewayRate)} events/s (rounds ${rates.gateway.map(Math.round).join(", ")}); CPU, % of one core: ${sharesText(cpuOf.gateway)}`,
);
console.log(
  `  sdk ${Math.round(sdkRate)} events/s (rounds ${rates.sdk.map(Math.round).join(", ")}); CPU, % of one core: ${sharesText(cpuOf.sdk)}`,
);
console.log(`ingest gateway/sdk: ${(gatewayRate / sdkRate).toFixed(2)}   (target ≥ ${TARGETS.ingestRatio})`);

// --- Projection rebuild over the whole EVENTS stream, with the projector service stopped.
await gatewayOnly.stopAll();
const projector = createProjector({ bus });
await projector.ready;
const figures = await projector.rebuild();
console.log(
  `rebuild: every read model over the whole EVENTS stream: ${figures.events} events in ${figures.seconds.toFixed(1)} s = ${Math.round(figures.eventsPerSecond)} events/s`,
);
await projector.stop();
await pool.close();
await bus.close();
await rm(dir, { recursive: true, force: true });
