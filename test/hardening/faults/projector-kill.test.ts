// The projector killed -9 in the middle of a rebuild: started again, it resumes from the checkpoints
// the rebuild had written, and the read models it ends with equal those of a clean rebuild.
import { isDeepStrictEqual } from "node:util";
import { type Bus, connectBus } from "@tongbao/bus";
import type { EventInput, EventType } from "@tongbao/events";
import { cityOf, type Metro } from "@tongbao/metro";
import { CHECKPOINT_BUCKET, readModels } from "@tongbao/projections";
import { eventOf, startNats } from "@tongbao/testkit";
import { expect, it } from "vitest";
import { waitFor, writeMetro } from "../../support/metro.ts";
import { exitOf, processes, report, scratch, stop } from "./support.ts";

const EVENTS = 12_000;
const SCRIPT = "services/projector/src/main.ts";
// Every read model gets work; a few hundred aggregates each, so values evolve rather than pile up.
const TYPES: EventType[] = [
  "case.reported",
  "case.reclassified",
  "case.transferred",
  "case.closed",
  "risk.changed",
  "pass.issued",
  "pass.revoked",
  "policy.changed",
  "traffic.changed",
  "supply.requested",
  "supply.offered",
  "trace.requested",
  "trace.answered",
  "person.pushed",
];

/** A history the projector's deciders accept in the main, in the demo metro (its cities and districts). */
const history = (metro: Metro): EventInput[] =>
  Array.from({ length: EVENTS }, (_, i) => {
    const type = TYPES[i % TYPES.length] as EventType;
    const example = eventOf(type);
    // A district's risk is set by its own city, for a district the metro has.
    if (type === "risk.changed") {
      const districts = cityOf(metro, example.origin)?.districts ?? [];
      return { ...example, subject: districts[i % districts.length]?.id ?? example.subject };
    }
    // A measure's later versions must name what they revise: each measure here has one version.
    const measure = type === "policy.changed" || type === "traffic.changed";
    const subject = `${example.subject.split("-")[0]}-K${measure ? i : (i * 7) % 400}`;
    // One in a hundred carries a UUIDv7 made in Feb 2020 (a leaf's backlog): the notices index holds it.
    const backdated =
      i % 100 === 0 ? { id: `017043a7-4c00-7000-8000-${i.toString(16).padStart(12, "0")}` } : {};
    return { ...example, subject, ...backdated };
  });

/** Every value of every read model, by bucket and key. */
const snapshot = async (bus: Bus) => {
  const all: Record<string, Record<string, unknown>> = {};
  for (const bucket of [...readModels.map((m) => m.bucket), CHECKPOINT_BUCKET]) {
    const store = await bus.openStore<Record<string, unknown>>(bucket);
    const values: Record<string, unknown> = {};
    for await (const key of store.keys()) {
      const value = (await store.get(key))?.value;
      // A checkpoint's write time differs between runs; its sequence must not.
      values[key] = bucket === CHECKPOINT_BUCKET ? value?.seq : value;
    }
    all[bucket] = values;
  }
  return all;
};

it("a projector killed -9 during a rebuild resumes from its checkpoint and ends equal to a clean rebuild", {
  timeout: 120_000,
}, async () => {
  await using tmp = await scratch("projector-kill");
  await using nats = await startNats();
  const files = await writeMetro(tmp.dir, {});
  await using procs = processes(tmp.dir);
  const bus = await connectBus({ servers: nats.url, name: "projector-kill-test" });
  try {
    // The case ledger refuses some of the random case lifecycles; what it stored is the history.
    const outcomes = await bus.publishMany(history(files.metro));
    expect(outcomes.filter((o) => o.ok).length).toBeGreaterThan(EVENTS / 2);
    const lastSeq = await bus.lastSeq("events");
    // Small batches: the rebuild writes a checkpoint every 250 events.
    const env = {
      NATS_URL: nats.url,
      METRO: files.metroFile,
      LOG_LEVEL: "info",
      PROJECTOR_BATCH_SIZE: "250",
    };
    const checkpoints = await bus.openStore<{ seq: number }>(CHECKPOINT_BUCKET);
    const noticesAt = async () => (await checkpoints.get("notices.events"))?.value.seq ?? 0;

    const rebuilding = procs.start("projector-rebuild", SCRIPT, env, ["rebuild"]);
    await waitFor("the rebuild to start", async () =>
      (await procs.log("projector-rebuild")).includes("rebuilding read models from the log"),
    );
    const killedAt = await waitFor(
      "the rebuild to be part-way",
      async () => {
        const seq = await noticesAt();
        return seq >= lastSeq * 0.2 ? seq : undefined;
      },
      50_000,
    );
    await procs.kill(rebuilding);
    const resumedFrom = await noticesAt();
    expect(resumedFrom).toBeGreaterThan(0);
    expect(resumedFrom).toBeLessThan(lastSeq);

    const restarted = performance.now();
    const resumed = await procs.startReady("projector", SCRIPT, env, files.opsPortOf("projector"));
    const secondsToCatchUp = (performance.now() - restarted) / 1000;
    // Stopped gracefully first, so that nothing is being written while the values are read.
    expect(await stop(resumed)).toBe(0);
    const afterResume = await snapshot(bus);

    const clean = procs.start("projector-clean", SCRIPT, env, ["rebuild"]);
    expect(await exitOf(clean)).toBe(0);
    const afterClean = await snapshot(bus);

    const keys = Object.fromEntries(Object.entries(afterClean).map(([b, v]) => [b, Object.keys(v).length]));
    report("projector kill -9 mid-rebuild", {
      events: lastSeq,
      killedAtCheckpoint: killedAt,
      resumedFrom,
      secondsToCatchUp,
      keys: JSON.stringify(keys),
      equalToCleanRebuild: isDeepStrictEqual(afterResume, afterClean),
    });
    expect(afterResume).toEqual(afterClean);
    expect(Object.values(keys).every((n) => n > 0)).toBe(true);
  } finally {
    await bus.close();
  }
});
