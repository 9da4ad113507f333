// Run: `pnpm bench` (or `node test/bench/services.ts`; env FANOUT_RATE, FANOUT_SECONDS, FANOUT_CITIES,
// INGEST_EVENTS, INGEST_WINDOW). Every service runs as its own process, as `pnpm start` runs them.
import { mkdtemp, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectBus } from "@tongbao/bus";
import type { EventInput } from "@tongbao/events";
import { createProjector } from "@tongbao/projections";
import { eventOf, startNats } from "@tongbao/testkit";
import { startMetroServices } from "../../infra/start/metro.ts";
import { servicesOf, writeMetro } from "../support/metro.ts";

const RATE = Number(process.env.FANOUT_RATE ?? 200);
const SECONDS = Number(process.env.FANOUT_SECONDS ?? 60);
const CITIES = Number(process.env.FANOUT_CITIES ?? 16);
const INGEST_EVENTS = Number(process.env.INGEST_EVENTS ?? 5_000);
const WINDOW = Number(process.env.INGEST_WINDOW ?? 32);
const TARGETS = { fanoutP99Ms: 100, ingestRatio: 0.4 } as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const dir = await mkdtemp(join(tmpdir(), "tongbao-bench-"));
await using nats = await startNats();
const files = await writeMetro(dir, { generatedCities: CITIES });
const cityIds = files.metro.cities.map((c) => c.id);
const services = await startMetroServices({
  ...servicesOf(files, nats.url, dir),
  env: {
    LOG_LEVEL: "warn",
    ...(process.env.BENCH_NODE_OPTIONS && { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS }),
  },
});
const bus = await connectBus({ servers: nats.url, name: "bench-services" });
const sinkUrl = services.sinkUrl as string;

// --- Fan-out: a steady rate from every city in turn; each event goes to the other cities' webhooks.
console.log(
  `fanout: ${RATE} events/s for ${SECONDS} s to a metro of ${CITIES} cities, one relay process each`,
);
const total = RATE * SECONDS;
const started = performance.now();
const publishing: Promise<unknown>[] = [];
for (let i = 0; i < total; i++) {
  const due = started + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  const origin = cityIds[i % cityIds.length] as string;
  const time = new Date().toISOString();
  publishing.push(
    bus.publish(eventOf("policy.changed", { origin, time, data: { scope: { city: origin } } })),
  );
}
await Promise.all(publishing);
const expected = total * (CITIES - 1);
const counts = async () => {
  const perCity = (await (await fetch(`${sinkUrl}/hooks`)).json()) as Record<string, number>;
  return Object.values(perCity).reduce((a, b) => a + b, 0);
};
const drainStarted = performance.now();
for (let last = -1, idle = 0; ; ) {
  const delivered = await counts();
  if (delivered >= expected) break;
  idle = delivered === last ? idle + 1 : 0;
  if (idle > 60) throw new Error(`fanout stalled at ${delivered} of ${expected} deliveries`);
  last = delivered;
  await sleep(500);
}
const latencies: number[] = [];
for (const city of cityIds) {
  const received = (await (await fetch(`${sinkUrl}/hooks/${city}`)).json()) as { latencyMs: number }[];
  for (const notice of received) latencies.push(notice.latencyMs);
}
latencies.sort((a, b) => a - b);
const elapsed = (performance.now() - started) / 1000;
console.log(
  `  every webhook delivered ${((performance.now() - drainStarted) / 1000).toFixed(1)} s after the last publish: ${Math.round(latencies.length / elapsed)} deliveries/s over ${elapsed.toFixed(1)} s`,
);
console.log(
  `  published ${total}, delivered ${latencies.length} webhooks (expected ${expected}); publish-to-webhook p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`,
);
console.log(
  `  p90 ${percentile(latencies, 90).toFixed(1)} ms, p95 ${percentile(latencies, 95).toFixed(1)} ms, p99.9 ${percentile(latencies, 99.9).toFixed(1)} ms, max ${latencies.at(-1)} ms; over 1 s: ${latencies.filter((l) => l > 1000).length}`,
);
console.log(`fanout p99 ms: ${percentile(latencies, 99).toFixed(1)}   (target ≤ ${TARGETS.fanoutP99Ms})`);

// --- Gateway ingest: single-event requests over keep-alive connections vs the SDK, same window.
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
// node:http with keep-alive: one connection per request in flight, reused for every request.
const agent = new Agent({ keepAlive: true, maxSockets: WINDOW });
const postEvent = (event: EventInput) =>
  new Promise<void>((resolve, reject) => {
    const body = JSON.stringify(event);
    const req = request(
      `${services.gatewayUrl}/v1/events`,
      {
        agent,
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/cloudevents+json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          res.statusCode === 202 ? resolve() : reject(new Error(`gateway answered ${res.statusCode}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
const timed = async (label: string, events: EventInput[], send: (event: EventInput) => Promise<void>) => {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: WINDOW }, async () => {
      while (next < events.length) await send(events[next++] as EventInput);
    }),
  );
  const rate = (events.length * 1000) / (performance.now() - t0);
  console.log(`  ${label}: ${events.length} events, ${Math.round(rate)} events/s`);
  return rate;
};
console.log(`ingest: ${INGEST_EVENTS} single-event requests, ${WINDOW} in flight, on the same server`);
const viaGateway = await timed("gateway", inputs(INGEST_EVENTS), postEvent);
const viaSdk = await timed("sdk", inputs(INGEST_EVENTS), async (event) => {
  await bus.publish(event);
});
console.log(`ingest gateway/sdk: ${(viaGateway / viaSdk).toFixed(2)}   (target ≥ ${TARGETS.ingestRatio})`);

// --- Projection rebuild over the whole EVENTS stream, with the projector service stopped.
await services.stop();
const projector = createProjector({ bus });
await projector.ready;
const figures = await projector.rebuild();
console.log(
  `rebuild: every read model over the whole EVENTS stream: ${figures.events} events in ${figures.seconds.toFixed(1)} s = ${Math.round(figures.eventsPerSecond)} events/s`,
);
await projector.stop();
agent.destroy();
await bus.close();
await rm(dir, { recursive: true, force: true });
