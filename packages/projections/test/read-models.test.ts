import { type Bus, connectBus } from "@tongbao/bus";
import { type EventInput, prepareEvent, subjectOfValidEvent } from "@tongbao/events";
import { loadMetro } from "@tongbao/metro";
import { eventOf, startNats } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProjector, type Projector } from "../src/engine/projector.ts";
import { openReadModels, type ReadModels } from "../src/queries/read-models.ts";
import { waitFor } from "./support.ts";

let nats: AsyncDisposable & { url: string };
let bus: Bus;
let projector: Projector;
let models: ReadModels;

beforeAll(async () => {
  nats = await startNats();
  bus = await connectBus({ servers: nats.url, name: "test" });
  projector = createProjector({ bus, flushEveryMs: 20 });
  await projector.ready;
  const metro = await loadMetro(new URL("../../../infra/metros/yrd.json", import.meta.url).pathname);
  models = await openReadModels(bus, metro);
});

afterAll(async () => {
  await projector.stop();
  await bus.close();
  await nats[Symbol.asyncDispose]();
});

const publish = async (input: EventInput) => {
  const event = prepareEvent(input);
  await bus.publish(event);
  return event;
};
const pause = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("the read models, as the gateway asks them", () => {
  it("a pass is valid, then revoked from the moment its issuer says", async () => {
    const issued = await publish(eventOf("pass.issued", {}));
    const passId = issued.subject;
    await waitFor(
      "the pass",
      async () => (await models.checkPass(passId, { at: "2020-02-25T08:00:00+08:00" })).status === "valid",
    );
    expect(await models.checkPass(passId, { at: "2020-02-25T08:00:00+08:00", city: "ningbo" })).toMatchObject(
      {
        status: "not-valid-here",
        validIn: ["shanghai", "suzhou"],
      },
    );
    await publish(eventOf("pass.revoked", { subject: passId, data: { at: "2020-03-02T12:00:00+08:00" } }));
    await waitFor(
      "the revocation",
      async () => (await models.checkPass(passId, { at: "2020-03-03T00:00:00+08:00" })).status === "revoked",
    );
    expect((await models.checkPass(passId, { at: "2020-02-25T08:00:00+08:00" })).status).toBe("valid");
    expect((await models.checkPass("NEVER-ISSUED")).status).toBe("unknown");
    await expect(models.checkPass("not a pass")).rejects.toThrow(/passId must be/);
    await expect(models.checkPass(passId, { at: "yesterday" })).rejects.toThrow(/at must be a date-time/);
  });

  it("the risk map as of a past moment differs from now as the events say", async () => {
    const risk = (district: string, level: "high" | "medium-1" | "low-1", effectiveFrom: string) =>
      publish(
        eventOf("risk.changed", {
          origin: "shanghai",
          subject: district,
          data: { level, effectiveFrom, previousLevel: undefined },
        }),
      );
    await risk("shanghai-qingpu", "high", "2020-02-05T00:00:00+08:00");
    await pause();
    const knownThen = new Date();
    await pause();
    await risk("shanghai-qingpu", "low-1", "2020-02-20T00:00:00+08:00");
    await risk("shanghai-jinshan", "medium-1", "2020-02-10T00:00:00+08:00");
    await waitFor("both districts", async () => (await models.riskMap()).districts.length === 2);

    const now = await models.riskMap();
    expect(now.by).toBe("effective");
    expect(now.districts).toEqual([
      expect.objectContaining({ districtId: "shanghai-jinshan", city: "shanghai", level: "medium-1" }),
      expect.objectContaining({ districtId: "shanghai-qingpu", level: "low-1", previousLevel: "high" }),
    ]);
    const inForce = await models.riskMap({ asOf: "2020-02-15T00:00:00+08:00" });
    expect(inForce.districts.map((d) => [d.districtId, d.level])).toEqual([
      ["shanghai-jinshan", "medium-1"],
      ["shanghai-qingpu", "high"],
    ]);
    const recorded = await models.riskMap({ asOf: knownThen, by: "recorded" });
    expect(recorded).toMatchObject({ asOf: knownThen.toISOString(), by: "recorded" });
    expect(recorded.districts.map((d) => [d.districtId, d.level])).toEqual([["shanghai-qingpu", "high"]]);
    await expect(models.riskMap({ by: "guessed" as "recorded" })).rejects.toThrow(/by must be/);
  });

  it("measures in effect follow update and cancel chains", async () => {
    const closed = await publish(
      eventOf("traffic.changed", { data: { action: "close", effectiveFrom: "2020-02-01T00:00:00+08:00" } }),
    );
    const key = closed.subject;
    const merged = await publish(
      eventOf("traffic.changed", {
        subject: key,
        data: { effectiveFrom: "2020-02-12T12:00:00+08:00", revises: { eventId: closed.id, kind: "update" } },
      }),
    );
    const inEffect = async (asOf?: string) =>
      (await models.measuresInEffect(asOf === undefined ? {} : { asOf })).filter((m) => m.measureId === key);
    await waitFor("the update", async () => (await inEffect())[0]?.eventId === merged.id);
    expect(await inEffect()).toEqual([expect.objectContaining({ kind: "traffic", supersedes: [closed.id] })]);
    expect((await inEffect("2020-02-05T00:00:00+08:00"))[0]).toMatchObject({
      eventId: closed.id,
      details: { action: "close" },
    });

    await publish(
      eventOf("traffic.changed", {
        subject: key,
        data: {
          action: "resume",
          effectiveFrom: "2020-03-01T00:00:00+08:00",
          revises: { eventId: merged.id, kind: "cancel" },
        },
      }),
    );
    await waitFor("the cancellation", async () => (await inEffect()).length === 0);
    expect((await inEffect("2020-02-20T00:00:00+08:00"))[0]?.eventId).toBe(merged.id);
  });

  it("open trace requests hold counts, never contacts", async () => {
    const details = { name: "张三", phone: "+86 575 1234 5678", address: "诸暨市某路1号" };
    const request = await publish(
      eventOf("trace.requested", {
        data: {
          contacts: [
            {
              contactRef: "c_4be0f1a9d2c3e8b7",
              district: "shaoxing-zhuji",
              lastContactAt: "2020-02-01T19:00:00+08:00",
              details,
            },
            {
              contactRef: "c_77e0f1a9d2c3e8b7",
              district: "shaoxing-zhuji",
              lastContactAt: "2020-02-01T19:00:00+08:00",
            },
          ],
        },
      }),
    );
    await waitFor("the request", async () =>
      (await models.openTraceRequests()).some((r) => r.requestId === request.subject),
    );
    const open = (await models.openTraceRequests()).find((r) => r.requestId === request.subject);
    expect(open).toEqual({
      requestId: request.subject,
      requester: "hangzhou",
      target: "shaoxing",
      caseId: "HZ-2020-0211-017",
      dueBy: "2020-02-12T10:00:00+08:00",
      contacts: 2,
      answered: 0,
    });
    const stored = JSON.stringify(await models.openTraceRequests());
    for (const personal of [
      "c_4be0f1a9d2c3e8b7",
      "张三",
      "575 1234 5678",
      "诸暨",
      "shaoxing-zhuji",
      "3fa93fa93fa93fa9",
    ])
      expect(stored).not.toContain(personal);

    await publish(
      eventOf("trace.answered", {
        subject: request.subject,
        data: {
          answers: [
            { contactRef: "c_4be0f1a9d2c3e8b7", outcome: "quarantined" },
            { contactRef: "c_77e0f1a9d2c3e8b7", outcome: "not-found" },
          ],
        },
      }),
    );
    await waitFor(
      "the answer",
      async () => !(await models.openTraceRequests()).some((r) => r.requestId === request.subject),
    );
  });

  it("finds a notice by its id, with or without its origin", async () => {
    const drill = await publish(eventOf("case.reported", { status: "exercise" }));
    await waitFor("the notice", async () => (await models.notice(drill.id)) !== null);
    expect(await models.notice(drill.id)).toMatchObject({
      origin: "hangzhou",
      id: drill.id,
      type: "case.reported",
      key: drill.subject,
      stream: "events",
      status: "exercise",
    });
    expect(await models.notice(drill.id, "hangzhou")).toMatchObject({ id: drill.id });
    expect(await models.notice(drill.id, "suzhou")).toBeNull();
    expect(await models.notice("no-such-id")).toBeNull();
  });

  it("finds a notice stored long after the time in its id through the index, and never a forgery", async () => {
    // A UUIDv7 made on 14 Feb 2020 (a leaf's backlog, or a clock far off): not near its id's time.
    const late = await publish(eventOf("supply.offered", { id: "017043a7-4c00-7000-8000-0000000000aa" }));
    await waitFor("the late notice", async () => (await models.notice(late.id, late.origin)) !== null);
    expect(await models.notice(late.id)).toMatchObject({
      id: late.id,
      origin: late.origin,
      type: "supply.offered",
    });

    // A raw client stores Huzhou's subject with a body that says Hangzhou: no reader finds it.
    const forged = prepareEvent(eventOf("case.reported", {}));
    const huzhouSubject = subjectOfValidEvent({ ...forged, origin: "huzhou" });
    await bus.connection.js.publish(huzhouSubject, JSON.stringify(forged));
    const marker = await publish(eventOf("case.reported", {}));
    await waitFor("the marker after it", async () => (await models.notice(marker.id)) !== null);
    expect(await models.notice(forged.id)).toBeNull();
    expect(await models.notice(forged.id, "hangzhou")).toBeNull();
    expect(await models.notice(forged.id, "huzhou")).toBeNull();
  });
});
