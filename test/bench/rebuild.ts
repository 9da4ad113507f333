// Run: `pnpm bench` (or `node test/bench/rebuild.ts`; env REBUILD_EVENTS, default 1,000,000).
// Every read model rebuilt over a long EVENTS stream on a server that fsyncs before every
// acknowledgement (sync_interval: always, as Tongbao runs). The stream is filled with atomic
// batches straight from a raw client first (valid events; filling is not what is measured).
import { jetstream } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { connectBus } from "@tongbao/bus";
import { type EventInput, prepareEvent, subjectOfValidEvent } from "@tongbao/events";
import { createProjector } from "@tongbao/projections";
import { eventOf, startNats } from "@tongbao/testkit";

const EVENTS = Number(process.env.REBUILD_EVENTS ?? 1_000_000);
const BATCH = 1_000;

/** The mix of a long epidemic: cases, passes, district risk, checkpoints, supplies. */
const eventAt = (i: number): EventInput => {
  switch (i % 5) {
    case 0:
      return eventOf("case.reported", {});
    case 1:
      return eventOf("pass.issued", {});
    case 2:
      return eventOf("risk.changed", { subject: `hangzhou-d${i % 40}` });
    case 3:
      return eventOf("traffic.changed", { subject: `CP-${i % 200}` });
    default:
      return eventOf("supply.offered", {});
  }
};

await using nats = await startNats();
await using bus = await connectBus({ servers: nats.url, name: "bench-rebuild" });
const nc = await connect({ servers: nats.url, name: "bench-rebuild-fill" });
const js = jetstream(nc);
const filling = performance.now();
for (let i = 0; i < EVENTS; i += BATCH) {
  const events = Array.from({ length: Math.min(BATCH, EVENTS - i) }, (_, j) => prepareEvent(eventAt(i + j)));
  const [first, ...rest] = events;
  if (first === undefined) break;
  const message = (e: typeof first) => [subjectOfValidEvent(e), JSON.stringify(e)] as const;
  const batch = await js.startBatch(...message(first));
  for (const e of rest.slice(0, -1)) batch.add(...message(e));
  const last = rest.at(-1);
  if (last !== undefined) await batch.commit(...message(last));
}
await nc.close();
console.log(
  `rebuild: filled EVENTS with ${EVENTS} events in ${((performance.now() - filling) / 1000).toFixed(1)} s (atomic batches of ${BATCH}, sync_interval: always)`,
);

const projector = createProjector({ bus });
// The first catch-up over the whole stream, then the rebuild, which drops every read model first.
const catchUp = performance.now();
await projector.ready;
console.log(
  `rebuild: first catch-up of every read model: ${((performance.now() - catchUp) / 1000).toFixed(1)} s`,
);
const cpu = process.cpuUsage();
const figures = await projector.rebuild();
const used = process.cpuUsage(cpu);
console.log(
  `rebuild: every read model over the whole EVENTS stream: ${figures.events} events in ${figures.seconds.toFixed(1)} s = ${Math.round(figures.eventsPerSecond)} events/s`,
);
console.log(
  `rebuild: client cpu ${((used.user + used.system) / figures.events).toFixed(1)} µs/event (target: 1,000,000 in <= 30 s)`,
);
await projector.stop();
