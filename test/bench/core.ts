// Run: `pnpm bench` (or `node test/bench/core.ts`; env BENCH_EVENTS, BENCH_WINDOW, BENCH_ROUNDS).
// Publish is measured twice: on a server that fsyncs before every acknowledgement (sync_interval:
// always, as Tongbao runs) and on one with nats-server's default 2-minute interval, to show the price.
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { connectBus, Streams, streamSpecsOf } from "@tongbao/bus";
import { prepareEvent, type TongbaoEvent } from "@tongbao/events";
import type { SyncInterval } from "@tongbao/metro";
import { eventOf, startNats } from "@tongbao/testkit";
import {
  bestRate,
  type Comparison,
  compare,
  cpuPerEvent,
  type MemorySample,
  mb,
  medianRate,
  pairedMedianRatio,
  peakOf,
  perSecond,
  quarterPeaks,
  type Side,
  sampleMemory,
} from "./measure.ts";
import { rawPublish, rawReplay } from "./raw.ts";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 40_000);
const SAMPLE_EVERY = 1_000;
const WINDOW = Number(process.env.BENCH_WINDOW ?? 256);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGETS = { publish: 0.9, replay: 0.8 } as const;

const INTERVAL: SyncInterval = "2m";
// Under fsync per write a round's rate swings with the disk (seen: 1,600–3,900 events/s between
// rounds), so the durable comparison runs more, shorter rounds for a median that holds still.
const DURABLE_EVENTS = Number(process.env.BENCH_DURABLE_EVENTS ?? 20_000);
const DURABLE_ROUNDS = Number(process.env.BENCH_DURABLE_ROUNDS ?? 9);

// The same complete events for both sides, built before anything is timed. The SDK gets them as
// its input (it still completes, validates and stringifies them); the raw side stringifies them.
const events: TongbaoEvent[] = Array.from({ length: EVENTS }, (_, i) =>
  prepareEvent(eventOf(i % 2 === 0 ? "pass.issued" : "supply.offered")),
);

const eventsSpec = streamSpecsOf({ kind: "single" }).find((spec) => spec.name === Streams.events);
if (eventsSpec === undefined) throw new Error("no EVENTS stream spec");

const report = (what: string, target: number, c: Comparison) => {
  for (const side of ["sdk", "raw"] as const) {
    const runs = c[side];
    console.log(
      `${what} ${side}: ${Math.round(medianRate(runs))} events/s (n=${runs[0]?.n}; ` +
        `rounds ${runs.map((r) => Math.round(perSecond(r))).join(" ")}; ` +
        `client cpu ${cpuPerEvent(runs).toFixed(1)} µs/event)`,
    );
  }
  const ratio = medianRate(c.sdk) / medianRate(c.raw);
  const missed = ratio < target ? ` target missed (target >= ${target.toFixed(2)})` : "";
  console.log(`${what} sdk/raw: ${ratio.toFixed(2)}${missed}`);
  console.log(
    `${what} (info) sdk/raw best/best: ${(bestRate(c.sdk) / bestRate(c.raw)).toFixed(2)}, ` +
      `median per round: ${pairedMedianRatio(c).toFixed(2)}, ` +
      `client cpu per event raw/sdk: ${(cpuPerEvent(c.raw) / cpuPerEvent(c.sdk)).toFixed(2)}`,
  );
};

/** A server with the given fsync policy, the SDK and raw clients on it, and the stream helpers. */
const openBench = async (sync: SyncInterval) => {
  const server = await startNats({ syncInterval: sync });
  const bus = await connectBus({ servers: server.url, name: "bench-sdk" });
  const rawNc = await connect({ servers: server.url, name: "bench-raw" });
  // The SDK connects with noAsyncTraces; the headline compares it with the client's defaults, and an
  // info line compares it with a raw client set the same way: the SDK's own overhead, nothing else.
  const leanNc = await connect({ servers: server.url, name: "bench-raw-lean", noAsyncTraces: true });
  const { jsm } = bus.connection;
  /** A fresh EVENTS stream (also forgets the de-duplication window), so every run starts equal. */
  const freshStream = async () => {
    await jsm.streams.delete(Streams.events);
    await jsm.streams.add(eventsSpec);
  };
  const expectStored =
    (what: string, expected = EVENTS) =>
    async (n: number) => {
      const { state } = await jsm.streams.info(Streams.events);
      if (n !== expected || state.messages !== expected) {
        throw new Error(`${what}: handled ${n}, stream holds ${state.messages}, expected ${expected}`);
      }
    };
  return {
    server,
    bus,
    rawJs: jetstream(rawNc),
    leanJs: jetstream(leanNc),
    freshStream,
    expectStored,
    close: async () => {
      await rawNc.close();
      await leanNc.close();
      await bus.close();
      await server[Symbol.asyncDispose]();
    },
  };
};
type Bench = Awaited<ReturnType<typeof openBench>>;

/** bus.publishMany against awaited raw js.publish, same window, on a fresh stream each round. */
const comparePublish = (b: Bench, js: Bench["rawJs"], batch = events, rounds = ROUNDS) => {
  const sdk: Side = {
    name: "sdk",
    before: b.freshStream,
    run: async () => {
      const outcomes = await b.bus.publishMany(batch, { window: WINDOW });
      const failed = outcomes.filter((o) => !o.ok).length;
      if (failed > 0) throw new Error(`sdk publish: ${failed} of ${outcomes.length} failed`);
      return outcomes.length;
    },
    after: b.expectStored("sdk publish", batch.length),
  };
  const raw: Side = {
    name: "raw",
    before: b.freshStream,
    run: () => rawPublish(js, batch, WINDOW),
    after: b.expectStored("raw publish", batch.length),
  };
  return compare(sdk, raw, rounds);
};

/** Replays the stream the last publish run left (identical messages from either side). */
const compareReplay = async ({ bus, rawJs, expectStored }: Bench) => {
  const { state } = await bus.connection.jsm.streams.info(Streams.events);
  let memoryBefore = process.memoryUsage();
  let samples: MemorySample[] = [];
  const replay = await compare(
    {
      name: "sdk",
      run: async () => {
        // Memory sampled every SAMPLE_EVERY events (a few µs each time, negligible).
        memoryBefore = process.memoryUsage();
        samples = [];
        let count = 0;
        for await (const { event } of bus.replay()) {
          if (event.id !== undefined) count++;
          if (count % SAMPLE_EVERY === 0) samples.push(sampleMemory());
        }
        return count;
      },
      after: expectStored("sdk replay"),
    },
    { name: "raw", run: () => rawReplay(rawJs, Streams.events), after: expectStored("raw replay") },
    ROUNDS,
  );
  report("replay", TARGETS.replay, replay);
  const peak = peakOf(samples);
  console.log(
    `replay sdk memory (last sdk run, sampled every ${SAMPLE_EVERY} events): ` +
      `rss ${mb(memoryBefore.rss)} before, peak ${mb(peak.rss)}; heapUsed ${mb(memoryBefore.heapUsed)} before, ` +
      `peak ${mb(peak.heapUsed)}, peak per quarter ${quarterPeaks(samples).map(mb).join(" / ")}; ` +
      `stream ${mb(state.bytes)} in ${state.messages} messages`,
  );
};

const durable = await openBench("always");
console.log(
  `tongbao core bench: node ${process.version}, nats-server ${durable.bus.connection.nc.info?.version ?? "?"}, ` +
    `n=${EVENTS} events/round, window=${WINDOW} in flight (both sides), ` +
    `${ROUNDS} rounds + 1 warm-up, sides alternate, median round of each side, ratio = median sdk / median raw`,
);
console.log(
  "note: non-case events only (pass.issued, supply.offered), both sides publish the same complete events; " +
    "case.* events are decided first (a batch direct get of the case's events before each append): " +
    "an extra round trip, not measured here",
);
let durablePublish: Comparison;
try {
  console.log(
    `sync_interval: always (Tongbao's default: fsync before every acknowledgement), n=${DURABLE_EVENTS}, ${DURABLE_ROUNDS} rounds`,
  );
  durablePublish = await comparePublish(
    durable,
    durable.rawJs,
    events.slice(0, DURABLE_EVENTS),
    DURABLE_ROUNDS,
  );
  report("publish", TARGETS.publish, durablePublish);
} finally {
  await durable.close();
}

const interval = await openBench(INTERVAL);
try {
  console.log(`sync_interval: ${INTERVAL} (nats-server's default: a power cut may lose up to ${INTERVAL})`);
  const intervalPublish = await comparePublish(interval, interval.rawJs);
  report(`publish (sync ${INTERVAL})`, TARGETS.publish, intervalPublish);
  const lean = await comparePublish(interval, interval.leanJs);
  console.log(
    `publish (info, sync ${INTERVAL}) against a raw client with noAsyncTraces too: sdk ${Math.round(medianRate(lean.sdk))}, ` +
      `raw ${Math.round(medianRate(lean.raw))} events/s, sdk/raw ${(medianRate(lean.sdk) / medianRate(lean.raw)).toFixed(2)}, ` +
      `client cpu per event raw/sdk ${(cpuPerEvent(lean.raw) / cpuPerEvent(lean.sdk)).toFixed(2)}`,
  );
  // Replay reads what the last publish stored (fsync plays no part in reading).
  await compareReplay(interval);
  const price = (side: "sdk" | "raw") =>
    (medianRate(durablePublish[side]) / medianRate(intervalPublish[side])).toFixed(2);
  console.log(
    `publish durable/interval: sdk ${price("sdk")}, raw ${price("raw")} (the price of fsync per write)`,
  );
} finally {
  await interval.close();
}
