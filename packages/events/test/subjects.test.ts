import { describe, expect, it } from "vitest";
import {
  examples,
  filterSubject,
  parseSubject,
  prepareEvent,
  SubjectError,
  subjectOf,
} from "../src/index.ts";

const partsOf = (type: keyof typeof examples) => {
  const event = prepareEvent(examples[type]);
  return { origin: event.origin, type: event.type, key: event.subject, audience: event.audience };
};

describe("subjects", () => {
  it("puts a broadcast under evt.<origin>.<domain>.<action>.<key> and reads it back", () => {
    const parts = partsOf("case.reported");
    const subject = subjectOf(parts);
    expect(subject).toBe("evt.hangzhou.case.reported.HZ-2020-0211-017");
    expect(parseSubject(subject)).toEqual({
      origin: "hangzhou",
      type: "case.reported",
      key: "HZ-2020-0211-017",
    });
  });

  it("puts a directed event under dm.<target>.<origin>.… and reads it back", () => {
    const parts = partsOf("trace.requested");
    const subject = subjectOf(parts);
    expect(subject).toBe("dm.shaoxing.hangzhou.trace.requested.XC-HZ-2020-0211-03");
    expect(parseSubject(subject)).toEqual(parts);
  });

  it.each(Object.keys(examples) as (keyof typeof examples)[])("round-trips %s", (type) => {
    const parts = partsOf(type);
    expect(parseSubject(subjectOf(parts))).toEqual(
      parts.audience === undefined ? { origin: parts.origin, type: parts.type, key: parts.key } : parts,
    );
  });

  it.each([
    ["a key with a dot", { origin: "hangzhou", type: "case.reported", key: "a.b" }],
    ["a key with a wildcard", { origin: "hangzhou", type: "case.reported", key: ">" }],
    ["an origin with a wildcard", { origin: "*", type: "case.reported", key: "a" }],
    ["an empty key", { origin: "hangzhou", type: "case.reported", key: "" }],
    ["a key with whitespace", { origin: "hangzhou", type: "case.reported", key: "a b" }],
    ["an audience with a dot", { origin: "hangzhou", type: "trace.requested", key: "a", audience: "x.y" }],
  ])("refuses %s", (_, parts) => {
    expect(() => subjectOf(parts)).toThrow(SubjectError);
  });

  it.each([
    "evt.hangzhou.case.reported",
    "evt.hangzhou.case.reported.a.b",
    "rcpt.a.b.c",
    "dm.hangzhou.case.reported.a",
    "",
  ])("does not mistake %j for an event subject", (subject) => {
    expect(() => parseSubject(subject)).toThrow(SubjectError);
  });

  it("builds one filter subject with wildcards for what is left open", () => {
    expect(filterSubject({})).toBe("evt.*.*.*.*");
    expect(filterSubject({ type: "pass.issued" })).toBe("evt.*.pass.issued.*");
    expect(filterSubject({ origin: "suzhou", key: "K1" })).toBe("evt.suzhou.*.*.K1");
    expect(filterSubject({ audience: "shaoxing", type: "trace.requested" })).toBe(
      "dm.shaoxing.*.trace.requested.*",
    );
    expect(() => filterSubject({ type: "case.reportd" })).toThrow(SubjectError);
    expect(() => filterSubject({ key: "a.>" })).toThrow(SubjectError);
  });
});
