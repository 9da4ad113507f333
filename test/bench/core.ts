// Run: `pnpm bench` (or `node test/bench/core.ts`; env BENCH_EVENTS, BENCH_WINDOW, BENCH_ROUNDS).
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { connectBus, Streams, streamSpecsOf } from "@tongbao/bus";
import { prepareEvent, type TongbaoEvent } from "@tongbao/events";
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

await using server = await startNats();
await using bus = await connectBus({ servers: server.url, name: "bench-sdk" });
const rawNc = await connect({ servers: server.url, name: "bench-raw" });
const rawJs = jetstream(rawNc);
// The SDK connects with noAsyncTraces; the headline compares it with the client's defaults, and an
// info line compares it with a raw client set the same way: the SDK's own overhead, nothing else.
const leanNc = await connect({ servers: server.url, name: "bench-raw-lean", noAsyncTraces: true });
const leanJs = jetstream(leanNc);
const { jsm } = bus.connection;

console.log(
  `tongbao core bench: node ${process.version}, nats-server ${bus.connection.nc.info?.version ?? "?"}, ` +
    `n=${EVENTS} events/round, window=${WINDOW} in flight (both sides), ` +
    `${ROUNDS} rounds + 1 warm-up, sides alternate, median round of each side, ratio = median sdk / median raw`,
);
console.log(
  "note: non-case events only (pass.issued, supply.offered), both sides publish the same complete events; " +
    "case.* events also go through the ownership ledger (KV get, direct get, CAS update) before publishing: " +
    "extra round trips, not measured here",
);

// The same complete events for both sides, built before anything is timed. The SDK gets them as
// its input (it still completes, validates and stringifies them); the raw side stringifies them.
const events: TongbaoEvent[] = Array.from({ length: EVENTS }, (_, i) =>
  prepareEvent(eventOf(i % 2 === 0 ? "pass.issued" : "supply.offered")),
);

const eventsSpec = streamSpecsOf({ kind: "single" }).find((spec) => spec.name === Streams.events);
if (eventsSpec === undefined) throw new Error("no EVENTS stream spec");

/** A fresh EVENTS stream (also forgets the de-duplication window), so every run starts equal. */
const freshStream = async () => {
  await jsm.streams.delete(Streams.events);
  await jsm.streams.add(eventsSpec);
};
const expectStored = (what: string) => async (n: number) => {
  const { state } = await jsm.streams.info(Streams.events);
  if (n !== EVENTS || state.messages !== EVENTS) {
    throw new Error(`${what}: handled ${n}, stream holds ${state.messages}, expected ${EVENTS}`);
  }
};

const report = (what: "publish" | "replay", c: Comparison) => {
  for (const side of ["sdk", "raw"] as const) {
    const runs = c[side];
    console.log(
      `${what} ${side}: ${Math.round(medianRate(runs))} events/s (n=${runs[0]?.n}; ` +
        `rounds ${runs.map((r) => Math.round(perSecond(r))).join(" ")}; ` +
        `client cpu ${cpuPerEvent(runs).toFixed(1)} µs/event)`,
    );
  }
  const ratio = medianRate(c.sdk) / medianRate(c.raw);
  const missed = ratio < TARGETS[what] ? ` target missed (target >= ${TARGETS[what].toFixed(2)})` : "";
  console.log(`${what} sdk/raw: ${ratio.toFixed(2)}${missed}`);
  console.log(
    `${what} (info) sdk/raw best/best: ${(bestRate(c.sdk) / bestRate(c.raw)).toFixed(2)}, ` +
      `median per round: ${pairedMedianRatio(c).toFixed(2)}, ` +
      `client cpu per event raw/sdk: ${(cpuPerEvent(c.raw) / cpuPerEvent(c.sdk)).toFixed(2)}`,
  );
};

try {
  // 1. Publish: bus.publishMany against awaited raw js.publish, same window.
  const sdkPublish: Side = {
    name: "sdk",
    before: freshStream,
    run: async () => {
      const outcomes = await bus.publishMany(events, { window: WINDOW });
      const failed = outcomes.filter((o) => !o.ok).length;
      if (failed > 0) throw new Error(`sdk publish: ${failed} of ${outcomes.length} failed`);
      return outcomes.length;
    },
    after: expectStored("sdk publish"),
  };
  const rawSide = (js: typeof rawJs): Side => ({
    name: "raw",
    before: freshStream,
    run: () => rawPublish(js, events, WINDOW),
    after: expectStored("raw publish"),
  });
  const publish = await compare(sdkPublish, rawSide(rawJs), ROUNDS);
  report("publish", publish);
  const lean = await compare(sdkPublish, rawSide(leanJs), ROUNDS);
  console.log(
    `publish (info) against a raw client with noAsyncTraces too: sdk ${Math.round(medianRate(lean.sdk))}, ` +
      `raw ${Math.round(medianRate(lean.raw))} events/s, sdk/raw ${(medianRate(lean.sdk) / medianRate(lean.raw)).toFixed(2)}, ` +
      `client cpu per event raw/sdk ${(cpuPerEvent(lean.raw) / cpuPerEvent(lean.sdk)).toFixed(2)}`,
  );

  // 2. Replay the stream the last publish run left (identical messages from either side). The SDK
  // side samples its memory every SAMPLE_EVERY events (a few µs each time, negligible).
  const { state } = await jsm.streams.info(Streams.events);
  let memoryBefore = process.memoryUsage();
  let samples: MemorySample[] = [];
  const replay = await compare(
    {
      name: "sdk",
      run: async () => {
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
  report("replay", replay);
  const peak = peakOf(samples);
  console.log(
    `replay sdk memory (last sdk run, sampled every ${SAMPLE_EVERY} events): ` +
      `rss ${mb(memoryBefore.rss)} before, peak ${mb(peak.rss)}; heapUsed ${mb(memoryBefore.heapUsed)} before, ` +
      `peak ${mb(peak.heapUsed)}, peak per quarter ${quarterPeaks(samples).map(mb).join(" / ")}; ` +
      `stream ${mb(state.bytes)} in ${state.messages} messages`,
  );
} finally {
  await rawNc.close();
  await leanNc.close();
}
