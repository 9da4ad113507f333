import { eventOf } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { suppliesModel } from "../src/supplies/supplies.ts";
import { given } from "./support.ts";

describe("supply requests and offers", () => {
  it("keeps each request, offer and dispatch, linked by request id", () => {
    const entries = given(suppliesModel, [
      eventOf("supply.requested", { subject: "JX-SUP-2020-0205-01" }),
      eventOf("supply.offered", {
        subject: "SZ-OFFER-2020-0205-02",
        data: { forRequest: "JX-SUP-2020-0205-01" },
      }),
      eventOf("supply.dispatched", {
        subject: "SZ-DISPATCH-2020-0206-01",
        data: { forRequest: "JX-SUP-2020-0205-01", offer: "SZ-OFFER-2020-0205-02" },
      }),
    ]);
    expect(entries.get("requested.jiaxing.JX-SUP-2020-0205-01")).toMatchObject({
      kind: "request",
      city: "jiaxing",
      item: "masks-n95",
      quantity: 20000,
      neededBy: "2020-02-08T00:00:00+08:00",
    });
    expect(entries.get("offered.suzhou.SZ-OFFER-2020-0205-02")).toMatchObject({
      kind: "offer",
      quantity: 10000,
      forRequest: "JX-SUP-2020-0205-01",
    });
    expect(entries.get("dispatched.suzhou.SZ-DISPATCH-2020-0206-01")).toMatchObject({
      kind: "dispatch",
      fromCity: "suzhou",
      toCity: "jiaxing",
    });
  });
});
