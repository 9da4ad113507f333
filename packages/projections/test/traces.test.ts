import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { isOpen, tracesModel } from "../src/traces/traces.ts";
import { given } from "./support.ts";

const contact = (ref: string) => ({
  contactRef: ref,
  district: "shaoxing-zhuji",
  lastContactAt: "2020-02-01T19:00:00+08:00",
  details: { name: "张三", phone: "+86 571 0000 0000" },
});
const requestId = "XC-HZ-2020-0211-03";
const requested = eventOf("trace.requested", {
  subject: requestId,
  data: { contacts: [contact("c_aaaaaaaaaaaaaaaa"), contact("c_bbbbbbbbbbbbbbbb")] },
});
const answer = (ref: string) =>
  eventOf("trace.answered", {
    subject: requestId,
    data: { answers: [{ contactRef: ref, outcome: "located" }] },
  });

describe("open trace requests", () => {
  it("stays open until every contact is answered, and holds counts only", () => {
    const partly = given(tracesModel, [requested, answer("c_aaaaaaaaaaaaaaaa")]).get(`hangzhou.${requestId}`);
    expect(partly).toEqual({
      requestId,
      requester: "hangzhou",
      target: "shaoxing",
      caseId: "HZ-2020-0211-017",
      dueBy: "2020-02-12T10:00:00+08:00",
      contacts: 2,
      answered: 1,
      lastAnsweredAt: "2020-02-11T19:45:00+08:00",
    });
    expect(partly && isOpen(partly)).toBe(true);
    expect(JSON.stringify(partly)).not.toMatch(/c_aaaa|张三|0571|zhuji/);
    const done = given(tracesModel, [requested, answer("c_aaaaaaaaaaaaaaaa"), answer("c_bbbbbbbbbbbbbbbb")]);
    expect([...done.values()].filter(isOpen)).toEqual([]);
  });
});
