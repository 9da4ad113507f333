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
    expect(entries.get("hangzhou.trace-0001")).toMatchObject({
      audience: "shaoxing",
      subject: `dm.shaoxing.hangzhou.trace.requested.${directed.subject}`,
    });
  });
});
