import { type Bus, connectBus } from "@tongbao/bus";
import { type EventInput, prepareEvent } from "@tongbao/events";
import { eventOf, startNats } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import type { CasesOfDay } from "../src/cases/cases-daily.ts";
import { openCheckpoints } from "../src/engine/checkpoints.ts";
import { createProjector } from "../src/engine/projector.ts";
import type { Stored } from "../src/model.ts";
import { readModels } from "../src/models.ts";
import { storedValues } from "../src/queries/stored-values.ts";
import { waitFor } from "./support.ts";

const reports = (count: number, day = "2020-02-11") =>
  Array.from({ length: count }, (_, i) =>
    eventOf("case.reported", {
      data: { classification: i % 3 === 0 ? "confirmed" : "suspected", diagnosedAt: `${day}T08:45:00+08:00` },
    }),
  );

const publishAll = async (bus: Bus, inputs: EventInput[]) => {
  for (const outcome of await bus.publishMany(inputs)) if (!outcome.ok) throw outcome.error;
};

const dayOf = async (bus: Bus, key: string) =>
  (await (await bus.openStore<Stored<CasesOfDay>>("rm-cases-daily")).get(key))?.value.state;

/** Every value of every read model, by bucket and key: what "equal" means for two folds. */
const snapshot = async (bus: Bus) => {
  const all: Record<string, unknown> = {};
  for (const model of readModels) {
    const store = await bus.openStore<Stored<unknown>>(model.bucket);
    for await (const key of store.keys()) all[`${model.bucket}/${key}`] = (await store.get(key))?.value.state;
  }
  return all;
};

describe("the projector", () => {
  it("resumes from its checkpoint after a restart without counting twice", async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "test" });
    await publishAll(bus, reports(30));
    const first = createProjector({ bus, batchSize: 7 });
    await first.ready;
    expect((await dayOf(bus, "hangzhou.2020-02-11"))?.reported).toEqual({ confirmed: 10, suspected: 20 });
    await first.stop();

    await publishAll(bus, reports(6));
    // A crash after the values were written but before the checkpoint: the checkpoint lags behind.
    await (await openCheckpoints(bus)).write("cases-daily", "events", 10);
    const second = createProjector({ bus, batchSize: 7 });
    await second.ready;
    expect((await dayOf(bus, "hangzhou.2020-02-11"))?.reported).toEqual({ confirmed: 12, suspected: 24 });
    expect(second.status().models.find((m) => m.name === "cases-daily")?.checkpoint.events).toBe(36);

    await publishAll(bus, reports(3));
    await waitFor(
      "the live event",
      async () => (await dayOf(bus, "hangzhou.2020-02-11"))?.reported.confirmed === 13,
    );
    await second.stop();
  });

  it("rebuilds to exactly what it folded incrementally, and says how fast", async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "test" });
    const projector = createProjector({ bus, flushEveryMs: 20 });
    await projector.ready;
    const issued = prepareEvent(eventOf("pass.issued", {}));
    // Issued before anything else: the revocation is decided against it.
    await bus.publish(issued);
    await publishAll(bus, [
      ...reports(50),
      eventOf("pass.revoked", { subject: issued.subject }),
      eventOf("risk.changed", {}),
      eventOf("traffic.changed", {}),
      eventOf("trace.requested", {}),
      eventOf("supply.offered", {}),
      eventOf("case.reported", { status: "exercise" }),
      // Indexed, not found near the time in their id: an id of another form, a UUIDv7 made in 2020.
      eventOf("case.reported", { id: "legacy-0001" }),
      eventOf("supply.offered", { id: "017043a7-4c00-7000-8000-000000000001" }),
    ]);
    await waitFor(
      "the notices index",
      async () =>
        projector.status().models.find((m) => m.name === "notices")?.checkpoint.events === 58 &&
        (await storedValues(await bus.openStore<Stored<unknown>>("rm-notices"))).length === 2,
    );
    const incremental = await snapshot(bus);

    const figures = await projector.rebuild();
    expect(figures.events).toBe(59);
    expect(figures.eventsPerSecond).toBeGreaterThan(0);
    expect(await snapshot(bus)).toEqual(incremental);
    await expect(projector.rebuild("nonsense")).rejects.toThrow(/"nonsense" is not a read model/);
    await projector.stop();

    // Values dropped from memory at every write, and room for 5 written keys: the same rebuild reads
    // back what it wrote (and, past 5 keys, asks the bucket for every key): still the same fold.
    const frugal = createProjector({ bus, batchSize: 4, memory: { maxCached: 0, maxKnownKeys: 5 } });
    await frugal.ready;
    expect((await frugal.rebuild()).events).toBe(59);
    expect(await snapshot(bus)).toEqual(incremental);
    await frugal.stop();
  });

  it("resumes a rebuild that was killed half-way and ends where a clean one does", async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "test" });
    await publishAll(bus, [...reports(1500), ...reports(1500, "2020-02-12")]);
    const clean = createProjector({ bus });
    await clean.ready;
    await clean.stop();
    const expected = await snapshot(bus);

    const doomedBus = await connectBus({ servers: nats.url, name: "doomed" });
    const doomed = createProjector({ bus: doomedBus, batchSize: 100 });
    await doomed.ready;
    const rebuilding = doomed.rebuild();
    rebuilding.catch(() => undefined);
    await waitFor(
      "the rebuild half-way",
      () => {
        const seq = doomed.status().models.find((m) => m.name === "notices")?.checkpoint.events ?? 0;
        return doomed.status().rebuilding && seq > 0 && seq < 3000;
      },
      20_000,
    );
    await doomedBus.connection.nc.close(); // killed: nothing more is written

    const resumed = createProjector({ bus });
    await resumed.ready;
    expect(await snapshot(bus)).toEqual(expected);
    await resumed.stop();
    await doomed.stop();
  });
});
