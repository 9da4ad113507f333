// Rebuild throughput: `node packages/projections/test/rebuild-bench.ts [events]` (not part of the tests).
import { connectBus } from "@tongbao/bus";
import type { EventInput } from "@tongbao/events";
import { eventOf, startNats } from "@tongbao/testkit";
import { createProjector } from "../src/engine/projector.ts";

const count = Number(process.argv[2] ?? 20_000);
const mix: EventInput[] = Array.from({ length: count }, (_, i) => {
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
});

await using nats = await startNats();
await using bus = await connectBus({ servers: nats.url, name: "rebuild-bench" });
for (const outcome of await bus.publishMany(mix)) if (!outcome.ok) throw outcome.error;
const projector = createProjector({ bus });
await projector.ready;
for (const name of [undefined, "risk"]) {
  const figures = await projector.rebuild(name);
  console.log(
    `rebuild ${name ?? "all"}: ${figures.events} events in ${figures.seconds.toFixed(2)} s = ${figures.eventsPerSecond} events/s`,
  );
}
await projector.stop();
