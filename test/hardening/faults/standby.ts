// A city runs a standby relay beside its active one: both pull its durable consumers as members of
// their pinned priority group, only the pinned one delivers. Killed -9, the active one stops pulling;
// once the takeover time (3 s by default) has passed, the server pins the standby, which resets the
// consumer to its ack floor and delivers what was left behind first. Shared by the test and `pnpm bench`.
import { connectBus } from "@tongbao/bus";
import { startWebhookSink } from "@tongbao/city-relay";
import { eventOf, startNats, waitFor } from "@tongbao/testkit";
import { writeMetro } from "../../support/metro.ts";
import { processes, scratch, sleep } from "./support.ts";

export interface StandbyTakeover {
  /** From the kill -9 of the active relay to the first notice the standby delivered. */
  readonly seconds: number;
  readonly published: number;
  readonly lost: number;
  /** First receipts at the city out of stream order, per aggregate. */
  readonly outOfOrder: number;
  readonly standbyLog: string;
}

const RATE = 50;
const AGGREGATES = 5;

export const measureStandbyTakeover = async (): Promise<StandbyTakeover> => {
  await using tmp = await scratch("standby");
  await using nats = await startNats();
  // Real districts: the relay decides each notice on read, and a district the metro lacks is refused.
  const files = await writeMetro(tmp.dir, { generatedCities: 2, districtsPerCity: AGGREGATES + 1 });
  const [from, to] = files.metro.cities.map((c) => c.id) as [string, string];
  const sink = await startWebhookSink({ port: files.sinkPort, secrets: files.secrets });
  await using procs = processes(tmp.dir);
  const bus = await connectBus({ servers: nats.url, name: "standby-test" });
  try {
    const env = { CITY: to, NATS_URL: nats.url, METRO: files.metroFile, LOG_LEVEL: "info" };
    const script = "services/city-relay/src/main.ts";
    const active = await procs.startReady("relay-active", script, env, files.opsPortOf("projector"));
    const stored: { id: string; seq: number; aggregate: string }[] = [];
    let publishing = true;
    const publisher = (async () => {
      for (let i = 0; publishing; i++) {
        const aggregate = `${from}-d${(i % AGGREGATES) + 1}`;
        const event = eventOf("risk.changed", { origin: from, subject: aggregate });
        const { id, seq } = await bus.publish(event);
        stored.push({ id, seq, aggregate });
        await sleep(1_000 / RATE);
      }
    })();
    await waitFor("the active relay delivering", () => sink.received(to).length >= 20, 30_000);
    await procs.startReady("relay-standby", script, env, files.opsPortOf("watchdog"));
    await sleep(1_000);
    // Killed with deliveries in its hands (the city's system stops answering for a moment), as a
    // busy relay is: the standby finds them left behind and sends them again at once.
    sink.setMode(to, "hang");
    await sleep(500);
    await procs.kill(active);
    const killedAt = Date.now();
    sink.setMode(to, "up");
    // Deliveries the server answered before the kill may still land: the standby's first is after them.
    await sleep(50);
    const settled = sink.received(to).length;
    await waitFor("the standby delivering", () => sink.received(to).length > settled, 60_000);
    const first = sink.received(to)[settled];
    const seconds = (Date.parse(first?.receivedAt ?? "") - killedAt) / 1000;
    await sleep(2_000);
    publishing = false;
    await publisher;
    await waitFor(
      "every notice at the city",
      () => new Set(sink.received(to).map((n) => n.id)).size >= stored.length,
      60_000,
    );
    const got = sink.received(to).map((n) => n.id);
    const rank = new Map(stored.map((s) => [s.id, s]));
    let outOfOrder = 0;
    const lastSeq = new Map<string, number>();
    for (const id of got) {
      const s = rank.get(id);
      if (s === undefined) continue;
      if ((lastSeq.get(s.aggregate) ?? 0) > s.seq) outOfOrder++;
      lastSeq.set(s.aggregate, s.seq);
    }
    const lost = stored.filter((s) => !got.includes(s.id)).length;
    return {
      seconds,
      published: stored.length,
      lost,
      outOfOrder,
      standbyLog: await procs.log("relay-standby"),
    };
  } finally {
    await bus.close();
    await procs[Symbol.asyncDispose]();
    await sink.close();
  }
};
