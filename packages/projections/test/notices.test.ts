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
});
