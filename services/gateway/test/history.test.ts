import type { TongbaoEvent } from "@tongbao/events";
import { eventOf, uniqueKey } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearer, type City, type Harness, startGateway } from "./support.ts";

let gateway: Harness;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.[Symbol.asyncDispose]();
});

interface Page {
  events: TongbaoEvent[];
  cursor: string | null;
}

const history = async (city: City, query: string) => {
  const response = await gateway.app.inject({
    method: "GET",
    url: `/v1/events?${query}`,
    headers: bearer(city),
  });
  return response;
};

const page = async (city: City, query: string) => {
  const response = await history(city, query);
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Page>();
};

describe("GET /v1/events", () => {
  it("filters by type, origin, key and time range, and pages with a cursor", async () => {
    const district = `hangzhou-${uniqueKey("d")}`;
    const days = ["2020-02-10", "2020-02-11", "2020-02-12", "2020-02-13", "2020-02-14"];
    for (const day of days) {
      await gateway.bus.publish(
        eventOf("risk.changed", { origin: "hangzhou", subject: district, time: `${day}T09:00:00+08:00` }),
      );
    }
    // Only Hangzhou speaks of its district's risk; Shaoxing may ask for supplies under the same key.
    await gateway.bus.publish(eventOf("supply.requested", { origin: "shaoxing", subject: district }));
    await gateway.bus.publish(eventOf("supply.requested", { origin: "hangzhou", subject: district }));

    const all = await page("suzhou", `type=risk.changed&origin=hangzhou&key=${district}`);
    expect(all.events.map((e) => e.time.slice(0, 10))).toEqual(days);
    expect(all.cursor).toBeNull();

    const window = `type=risk.changed&key=${district}&since=2020-02-11T00:00:00%2B08:00&until=2020-02-14T00:00:00%2B08:00`;
    const first = await page("suzhou", `${window}&limit=2`);
    expect(first.events.map((e) => e.time.slice(0, 10))).toEqual(["2020-02-11", "2020-02-12"]);
    expect(first.cursor).toEqual(expect.any(String));
    const second = await page("suzhou", `${window}&limit=2&cursor=${first.cursor}`);
    expect(second.events.map((e) => e.time.slice(0, 10))).toEqual(["2020-02-13"]);
    expect(second.cursor).toBeNull();

    const types = await page("suzhou", `type=risk.changed,supply.requested&key=${district}`);
    expect(types.events).toHaveLength(7);
    const shaoxing = await page("suzhou", `type=supply.requested&origin=shaoxing&key=${district}`);
    expect(shaoxing.events.map((e) => e.origin)).toEqual(["shaoxing"]);
  });

  it("answers 400 naming every invalid parameter", async () => {
    const response = await history(
      "suzhou",
      "type=case.invented&origin=atlantis&limit=0&since=yesterday&colour=red",
    );
    expect(response.statusCode).toBe(400);
    const { issues } = response.json<{ issues: { path: string }[] }>();
    expect(issues.map((i) => i.path).sort()).toEqual(["colour", "limit", "origin", "since", "type"]);
    const cursor = await history("suzhou", "cursor=not-a-cursor");
    expect(cursor.statusCode).toBe(400);
    expect(cursor.json().issues[0].path).toBe("cursor");
  });

  it("shows a directed message to its target and its origin, never to a third city", async () => {
    const request = eventOf("trace.requested", { origin: "hangzhou", data: { targetCity: "shaoxing" } });
    await gateway.bus.publish(request);
    const key = `key=${request.subject}`;
    const target = await page("shaoxing", `directed=true&${key}`);
    expect(target.events.map((e) => e.type)).toEqual(["trace.requested"]);
    const origin = await page("hangzhou", `directed=true&${key}`);
    expect(origin.events.map((e) => e.id)).toEqual(target.events.map((e) => e.id));
    expect((await page("shanghai", `directed=true&${key}`)).events).toEqual([]);
    expect((await page("shanghai", "directed=true")).events).toEqual([]);
    expect((await page("shanghai", key)).events).toEqual([]);
  });

  it("merges the directed messages a city sent and received, in stream order, across pages", async () => {
    const sent = eventOf("trace.requested", { origin: "hangzhou", data: { targetCity: "shaoxing" } });
    const answered = eventOf("trace.answered", {
      origin: "shaoxing",
      subject: sent.subject,
      data: { targetCity: "hangzhou" },
    });
    const elsewhere = eventOf("trace.requested", {
      origin: "shanghai",
      subject: sent.subject,
      data: { targetCity: "suzhou" },
    });
    await gateway.bus.publish(sent);
    await gateway.bus.publish(elsewhere);
    await gateway.bus.publish(answered);
    const first = await page("hangzhou", `directed=true&key=${sent.subject}&limit=1`);
    const second = await page("hangzhou", `directed=true&key=${sent.subject}&limit=1&cursor=${first.cursor}`);
    expect([...first.events, ...second.events].map((e) => e.type)).toEqual([
      "trace.requested",
      "trace.answered",
    ]);
    expect(second.cursor).toBeNull();
    const fromShaoxing = await page("hangzhou", `directed=true&key=${sent.subject}&origin=shaoxing`);
    expect(fromShaoxing.events.map((e) => e.type)).toEqual(["trace.answered"]);
  });
});
