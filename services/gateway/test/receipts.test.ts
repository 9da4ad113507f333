import { eventOf } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, type City, type Harness, metro, startGateway, waitFor } from "./support.ts";

let gateway: Harness;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.[Symbol.asyncDispose]();
});

const receipts = (city: City, id: string, query = "", on = gateway) =>
  on.app.inject({ method: "GET", url: `/v1/notices/${id}/receipts${query}`, headers: bearer(city) });

/** The report once the projector has folded the notice (it follows the log a moment behind). */
const projected = async (city: City, id: string, on = gateway) => {
  await waitFor(
    "the notice to be projected",
    async () => (await receipts(city, id, "", on)).statusCode !== 404,
  );
  return receipts(city, id, "", on);
};

describe("GET /v1/notices/:id/receipts", () => {
  it("lists the cities that acknowledged a broadcast, when, and those still pending", async () => {
    const { id } = await gateway.bus.publish(eventOf("case.reported", { origin: "hangzhou" }));
    await gateway.bus.recordReceipt({
      notice: { origin: "hangzhou", id },
      receiver: "shaoxing",
      at: "2020-02-11T09:31:00+08:00",
    });
    await gateway.bus.recordReceipt({ notice: { origin: "hangzhou", id }, receiver: "suzhou" });
    const response = await projected("shanghai", id);
    expect(response.statusCode, response.body).toBe(200);
    const report = response.json();
    expect(report.notice).toMatchObject({ id, origin: "hangzhou", type: "case.reported" });
    expect(report.expected).toEqual(["shaoxing", "shanghai", "suzhou"]);
    expect(report.acknowledged).toEqual([
      { city: "shaoxing", at: "2020-02-11T09:31:00+08:00" },
      { city: "suzhou", at: expect.any(String) },
    ]);
    expect(report.pending).toEqual(["shanghai"]);
    expect(report.overdue).toEqual([]);
    const due = Date.parse(report.dueAt) - Date.parse(report.notice.recordedAt);
    expect(due).toBe(metro.acknowledgeWithinSeconds * 1000);
  });

  it("shows a directed notice's receipt to its origin and target only", async () => {
    const { id } = await gateway.bus.publish(
      eventOf("trace.requested", { origin: "hangzhou", data: { targetCity: "shaoxing" } }),
    );
    await gateway.bus.recordReceipt({ notice: { origin: "hangzhou", id }, receiver: "shaoxing" });
    for (const city of ["hangzhou", "shaoxing"] as const) {
      const response = await projected(city, id);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ expected: ["shaoxing"], pending: [], overdue: [] });
    }
    expect((await receipts("shanghai", id)).statusCode).toBe(404);
  });

  it("names the pending cities overdue once the acknowledgement window has passed", async () => {
    await using quick = await startGateway({ metro: { ...metro, acknowledgeWithinSeconds: 1 } });
    const { id } = await quick.bus.publish(eventOf("policy.changed", { origin: "suzhou" }));
    await quick.bus.recordReceipt({ notice: { origin: "suzhou", id }, receiver: "hangzhou" });
    await projected("hangzhou", id, quick);
    const report = async () => (await receipts("hangzhou", id, "", quick)).json();
    await waitFor("the notice to be overdue", async () => (await report()).overdue.length > 0);
    expect(await report()).toMatchObject({
      pending: ["shaoxing", "shanghai"],
      overdue: ["shaoxing", "shanghai"],
    });
  });

  it("answers 404 for an unknown notice and 400 for an id that cannot be one", async () => {
    expect((await receipts("hangzhou", "0190c3a0-0000-7000-8000-00000000dead")).statusCode).toBe(404);
    const invalid = await receipts("hangzhou", "a.b");
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().issues).toEqual([{ path: "id", message: "is not a valid event id" }]);
    expect((await receipts("hangzhou", "x", "?origin=atlantis")).statusCode).toBe(400);
  });
});
