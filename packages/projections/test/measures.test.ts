import { prepareEvent } from "@tongbao/events";
import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { measureAt, measuresModel } from "../src/measures/measures.ts";
import { given } from "./support.ts";

const checkpoint = "SH-QP-CHECKPOINT-G50";
const closed = prepareEvent(
  eventOf("traffic.changed", {
    subject: checkpoint,
    data: { action: "close", effectiveFrom: "2020-02-01T00:00:00+08:00" },
  }),
);
const at = (moment: string) => Date.parse(moment);

describe("traffic controls and policies in effect", () => {
  it("follows an update chain: each version from its own effective time", () => {
    const merged = eventOf("traffic.changed", {
      subject: checkpoint,
      data: { effectiveFrom: "2020-02-12T12:00:00+08:00", revises: { eventId: closed.id, kind: "update" } },
    });
    const state = given(measuresModel, [closed, merged]).get(`traffic.shanghai.${checkpoint}`);
    if (state === undefined) throw new Error("no measure");
    expect(measureAt(state, at("2020-02-05T00:00:00+08:00"))).toMatchObject({
      eventId: closed.id,
      details: { action: "close" },
    });
    expect(measureAt(state, at("2020-02-13T00:00:00+08:00"))).toMatchObject({
      details: { action: "merge", mergeInto: "SZ-WJ-CHECKPOINT-G50" },
      supersedes: [closed.id],
    });
  });

  it("a cancel ends the measure from its effective time", () => {
    const cancel = eventOf("traffic.changed", {
      subject: checkpoint,
      data: {
        action: "resume",
        effectiveFrom: "2020-03-01T00:00:00+08:00",
        revises: { eventId: closed.id, kind: "cancel" },
      },
    });
    const state = given(measuresModel, [closed, cancel]).get(`traffic.shanghai.${checkpoint}`);
    if (state === undefined) throw new Error("no measure");
    expect(measureAt(state, at("2020-02-20T00:00:00+08:00"))?.eventId).toBe(closed.id);
    expect(measureAt(state, at("2020-03-02T00:00:00+08:00"))).toBeUndefined();
  });

  it("a policy ends at its effectiveUntil; a version that revises it replaces it", () => {
    const policy = prepareEvent(
      eventOf("policy.changed", {
        subject: "SH-POLICY-SCHOOL",
        data: { domain: "school", action: "suspend", effectiveUntil: "2020-03-01T00:00:00+08:00" },
      }),
    );
    const extended = eventOf("policy.changed", {
      subject: "SH-POLICY-SCHOOL",
      data: {
        domain: "school",
        action: "suspend",
        effectiveFrom: "2020-02-20T00:00:00+08:00",
        effectiveUntil: "2020-04-01T00:00:00+08:00",
        revises: { eventId: policy.id, kind: "update" },
      },
    });
    const once = given(measuresModel, [policy]).get("policy.shanghai.SH-POLICY-SCHOOL");
    const twice = given(measuresModel, [policy, extended]).get("policy.shanghai.SH-POLICY-SCHOOL");
    if (once === undefined || twice === undefined) throw new Error("no policy");
    expect(measureAt(once, at("2020-03-10T00:00:00+08:00"))).toBeUndefined();
    expect(measureAt(twice, at("2020-03-10T00:00:00+08:00"))?.effectiveUntil).toBe(
      "2020-04-01T00:00:00+08:00",
    );
  });

  it("the latest effective time at or before the moment wins, whatever the order of publication", () => {
    const fromMarch = prepareEvent(
      eventOf("traffic.changed", {
        subject: checkpoint,
        data: {
          action: "resume",
          effectiveFrom: "2020-03-01T00:00:00+08:00",
          revises: { eventId: closed.id, kind: "update" },
        },
      }),
    );
    // Published after the March version, effective from February: it takes its place in time.
    const lateFebruary = eventOf("traffic.changed", {
      subject: checkpoint,
      data: {
        action: "restrict",
        effectiveFrom: "2020-02-15T00:00:00+08:00",
        revises: { eventId: closed.id, kind: "update" },
      },
    });
    const state = given(measuresModel, [closed, fromMarch, lateFebruary]).get(
      `traffic.shanghai.${checkpoint}`,
    );
    if (state === undefined) throw new Error("no measure");
    expect(measureAt(state, at("2020-02-10T00:00:00+08:00"))?.details).toMatchObject({ action: "close" });
    expect(measureAt(state, at("2020-02-20T00:00:00+08:00"))?.details).toMatchObject({ action: "restrict" });
    expect(measureAt(state, at("2020-03-05T00:00:00+08:00"))?.details).toMatchObject({ action: "resume" });
  });

  it("a correction effective from before what it corrects replaces it entirely", () => {
    const wrong = prepareEvent(
      eventOf("traffic.changed", {
        subject: checkpoint,
        data: {
          action: "close",
          effectiveFrom: "2020-02-10T00:00:00+08:00",
          revises: { eventId: closed.id, kind: "update" },
        },
      }),
    );
    const correction = eventOf("traffic.changed", {
      subject: checkpoint,
      data: {
        action: "restrict",
        effectiveFrom: "2020-02-05T00:00:00+08:00",
        revises: { eventId: wrong.id, kind: "update" },
      },
    });
    const state = given(measuresModel, [closed, wrong, correction]).get(`traffic.shanghai.${checkpoint}`);
    if (state === undefined) throw new Error("no measure");
    expect(measureAt(state, at("2020-02-12T00:00:00+08:00"))).toMatchObject({
      details: { action: "restrict" },
      supersedes: [closed.id, wrong.id],
    });
  });

  it("leaves out what the measure deciders refuse: another city's scope, a version naming nothing", () => {
    const foreign = eventOf("policy.changed", {
      origin: "huzhou",
      subject: "HZ-SAYS-SHANGHAI",
      data: { scope: { city: "shanghai" } },
    });
    const dangling = eventOf("traffic.changed", {
      subject: checkpoint,
      data: { action: "open", revises: { eventId: "no-such-event", kind: "update" } },
    });
    const measures = given(measuresModel, [foreign, closed, dangling]);
    expect(measures.get("policy.huzhou.HZ-SAYS-SHANGHAI")).toBeUndefined();
    expect(measures.get(`traffic.shanghai.${checkpoint}`)?.versions.map((v) => v.eventId)).toEqual([
      closed.id,
    ]);
  });
});
