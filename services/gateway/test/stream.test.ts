import type { TongbaoEvent } from "@tongbao/events";
import { eventOf, openEventStream } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asSent, bearer, type City, type Harness, startGateway, waitFor } from "./support.ts";

let gateway: Harness;
let gatewayUrl: string;
let baseUrl: string;
beforeAll(async () => {
  gateway = await startGateway({ limits: { heartbeatMs: 200 } });
  gatewayUrl = await gateway.app.listen({ host: "127.0.0.1", port: 0 });
  baseUrl = gatewayUrl;
});
afterAll(async () => {
  await gateway?.[Symbol.asyncDispose]();
});

/** A live feed read over real HTTP, once it says it is connected. */
const openFeed = async (city: City, query = "") => {
  const feed = await openEventStream(`${baseUrl}/v1/stream${query}`, bearer(city));
  await waitFor("the feed to open", () => feed.comments.includes("connected"));
  const events = () =>
    feed.events.map((e) => ({ ...e, cloudEvent: JSON.parse(e.data ?? "null") as TongbaoEvent }));
  return { ...feed, events };
};

const postOverHttp = (city: City, event: unknown) =>
  fetch(`${baseUrl}/v1/events`, {
    method: "POST",
    headers: { ...bearer(city), "content-type": "application/cloudevents+json" },
    body: JSON.stringify(event),
  });

describe("GET /v1/stream", () => {
  it("delivers broadcasts and the caller's directed messages as server-sent events over HTTP", async () => {
    const feed = await openFeed("shaoxing");
    expect(feed.response.headers["content-type"]).toMatch(/^text\/event-stream/);
    try {
      const broadcast = asSent(eventOf("supply.requested"));
      const posted = await postOverHttp("hangzhou", broadcast);
      expect(posted.status).toBe(202);
      const { id, seq } = (await posted.json()) as { id: string; seq: number };
      const notForShaoxing = eventOf("trace.requested", {
        origin: "hangzhou",
        data: { targetCity: "shanghai" },
      });
      const forShaoxing = eventOf("trace.requested", {
        origin: "hangzhou",
        data: { targetCity: "shaoxing" },
      });
      await gateway.bus.publish(notForShaoxing);
      await gateway.bus.publish(forShaoxing);

      await waitFor("both events", () => feed.events().length >= 2);
      const [first, second] = [
        feed.events().find((e) => e.cloudEvent.id === id),
        feed.events().find((e) => e.cloudEvent.subject === forShaoxing.subject),
      ];
      expect(first).toMatchObject({ id: `events-${seq}`, event: "supply.requested" });
      expect(first?.cloudEvent).toMatchObject({ origin: "hangzhou", subject: broadcast.subject });
      expect(second).toMatchObject({ event: "trace.requested", id: expect.stringMatching(/^direct-\d+$/) });
      // The message for shanghai was stored before the one for shaoxing: had it been sent, it would be here.
      expect(feed.events().some((e) => e.cloudEvent.subject === notForShaoxing.subject)).toBe(false);
      await waitFor("a heartbeat", () => feed.comments.includes("heartbeat"));
    } finally {
      await feed.close();
    }
  });

  it("filters the feed by type and origin", async () => {
    const feed = await openFeed("suzhou", "?type=risk.changed&origin=shanghai");
    try {
      await gateway.bus.publish(eventOf("risk.changed", { origin: "hangzhou" }));
      await gateway.bus.publish(eventOf("supply.requested", { origin: "shanghai" }));
      const wanted = eventOf("risk.changed", { origin: "shanghai" });
      await gateway.bus.publish(wanted);
      await waitFor("the shanghai risk change", () => feed.events().length >= 1);
      expect(feed.events().map((e) => e.cloudEvent.subject)).toEqual([wanted.subject]);
    } finally {
      await feed.close();
    }
  });

  it("stops following the bus when the client goes away", async () => {
    const openFeeds = async () => {
      const metrics = await gateway.app.inject({ method: "GET", url: "/metrics" });
      return Number(/^tongbao_gateway_live_feeds (\d+)$/m.exec(metrics.body)?.[1]);
    };
    const feed = await openFeed("hangzhou");
    expect(await openFeeds()).toBe(1);
    await feed.close();
    await waitFor("the feed to be closed", async () => (await openFeeds()) === 0);
  });

  it("ends open feeds when the gateway closes", async () => {
    const other = await startGateway();
    try {
      baseUrl = await other.app.listen({ host: "127.0.0.1", port: 0 });
      const feed = await openFeed("suzhou");
      await other.app.close();
      await feed.ended;
      expect(feed.comments).toEqual(["connected"]);
    } finally {
      baseUrl = gatewayUrl;
      await other[Symbol.asyncDispose]();
    }
  });

  it("refuses a feed without a token", async () => {
    const response = await fetch(`${baseUrl}/v1/stream`);
    expect(response.status).toBe(401);
  });
});
