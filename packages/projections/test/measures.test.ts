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

  it("a policy ends at its effectiveUntil; a same-key event replaces it", () => {
    const policy = eventOf("policy.changed", {
      subject: "SH-POLICY-SCHOOL",
      data: { domain: "school", action: "suspend", effectiveUntil: "2020-03-01T00:00:00+08:00" },
    });
    const extended = eventOf("policy.changed", {
      subject: "SH-POLICY-SCHOOL",
      data: {
        domain: "school",
        action: "suspend",
        effectiveFrom: "2020-02-20T00:00:00+08:00",
        effectiveUntil: "2020-04-01T00:00:00+08:00",
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
});
