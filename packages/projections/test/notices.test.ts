import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { noticesModel } from "../src/notices/notices.ts";
import { given } from "./support.ts";

describe("notices index", () => {
  it("indexes every stored event, drills included, by origin and id", () => {
    const drill = eventOf("case.reported", { id: "drill-0001", status: "exercise" });
    const directed = eventOf("trace.requested", { id: "trace-0001" });
    const entries = given(noticesModel, [drill, directed]);
    expect(entries.get("hangzhou.drill-0001")).toMatchObject({
      origin: "hangzhou",
      id: "drill-0001",
      type: "case.reported",
      status: "exercise",
      seq: 1,
    });
    // A directed message's entry says who it is between, never its key: the index outlives it.
    const entry = entries.get("hangzhou.trace-0001");
    expect(entry).toMatchObject({ audience: "shaoxing", type: "trace.requested" });
    expect(JSON.stringify(entry)).not.toContain(directed.subject);
  });

  it("leaves out a notice stored near the time in its UUIDv7 id: the stream finds it there", () => {
    // given() stores the i-th event at 1 Feb 2020 + i minutes.
    const near = eventOf("case.reported", { id: "016ffe0c-0c00-7000-8000-000000000001" });
    const late = eventOf("case.reported", { id: "016ffe0c-0c00-7000-8000-000000000002" });
    const entries = given(noticesModel, [near, late]);
    expect(entries.has(`hangzhou.${near.id}`)).toBe(false);
    expect(entries.get(`hangzhou.${late.id}`)).toMatchObject({ id: late.id, seq: 2 });
  });
});
