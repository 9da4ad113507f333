import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { eventOf } from "@tongbao/testkit";
import { Registry } from "prom-client";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { createCityRelay, type Delivered, startWebhookSink } from "../src/index.ts";
import {
  cityWith,
  deadLetterAt,
  logger,
  receiptWrites,
  secrets,
  startHarness,
  waitFor,
  webhookCity,
} from "./support.ts";

const idsOf = (notices: readonly { id: string }[]) => notices.map((n) => n.id).sort();

describe("city relay", () => {
  it("posts a signed structured-mode CloudEvent that verifies with the city's secret", async () => {
    await using h = await startHarness();
    const requests: { url: string | undefined; headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer(async (req, res) => {
      let body = "";
      for await (const chunk of req) body += chunk;
      requests.push({ url: req.url, headers: req.headers, body });
      res.writeHead(200).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const relay = await createCityRelay({
      bus: h.bus,
      city: cityWith("suzhou", {
        kind: "webhook",
        // Credentials and a query in the URL, as some cities' endpoints want them.
        urls: [`${url.replace("//", "//hook:s%3Acret@")}/x?tenant=7`],
        secret: { env: "UNUSED" },
        timeoutMs: 2_000,
      }),
      secret: secrets.suzhou,
      logger,
    });
    try {
      const published = await h.bus.publish(
        eventOf("pass.issued", { origin: "shanghai", status: "exercise" }),
      );
      await waitFor("the request", () => requests.length === 1);
      const [request] = requests;
      expect(request?.url).toBe("/x?tenant=7");
      expect(request?.headers.authorization).toBe(`Basic ${Buffer.from("hook:s:cret").toString("base64")}`);
      expect(request?.headers["content-type"]).toBe("application/cloudevents+json; charset=utf-8");
      expect(request?.headers["webhook-id"]).toBe(`shanghai:${published.id}`);
      const verified = new Webhook(secrets.suzhou).verify(
        request?.body ?? "",
        request?.headers as Record<string, string>,
      );
      expect(verified).toMatchObject({
        specversion: "1.0",
        id: published.id,
        origin: "shanghai",
        status: "exercise",
      });
      expect(() =>
        new Webhook(secrets.jiaxing).verify(request?.body ?? "", request?.headers as Record<string, string>),
      ).toThrow();
    } finally {
      await relay.stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("delivers another city's broadcast to the webhook and records its receipt once", async () => {
    await using h = await startHarness();
    const sink = await startWebhookSink({ secrets });
    const registry = new Registry();
    const delivered: Delivered[] = [];
    const relay = await createCityRelay({
      bus: h.bus,
      city: webhookCity("suzhou", sink.url),
      secret: secrets.suzhou,
      logger,
      registry,
      onDelivered: (d) => delivered.push(d),
    });
    try {
      const published = await h.bus.publish(eventOf("case.reported", { origin: "hangzhou" }));
      const notice = { origin: "hangzhou", id: published.id };
      await waitFor(
        "the receipt",
        async () => (await h.bus.receipts(notice, ["suzhou"])).pending.length === 0,
      );
      expect(sink.received("suzhou")).toMatchObject([
        { id: published.id, type: "case.reported", origin: "hangzhou", status: "actual", repeats: 0 },
      ]);
      expect(await receiptWrites(h.bus)).toBe(1);
      expect(delivered).toMatchObject([
        { stream: "events", seq: published.seq, attempt: 1, outcome: "delivered" },
      ]);
      expect(relay.status()).toMatchObject({
        consumers: ["suzhou-relay", "suzhou-relay-direct"],
        delivered: 1,
        failedAttempts: 0,
      });
      expect(await registry.metrics()).toContain(
        'tongbao_relay_deliveries_total{city="suzhou",outcome="delivered"} 1',
      );
    } finally {
      await relay.stop();
      await sink.close();
    }
  });

  it("skips the city's own broadcasts, and a directed message reaches only its target city", async () => {
    await using h = await startHarness();
    const sink = await startWebhookSink({ secrets });
    const suzhou = await createCityRelay({
      bus: h.bus,
      city: webhookCity("suzhou", sink.url),
      secret: secrets.suzhou,
      logger,
    });
    const jiaxing = await createCityRelay({
      bus: h.bus,
      city: webhookCity("jiaxing", sink.url),
      secret: secrets.jiaxing,
      logger,
    });
    try {
      const own = await h.bus.publish(eventOf("pass.issued", { origin: "suzhou" }));
      const toSuzhou = await h.bus.publish(eventOf("trace.requested", { data: { targetCity: "suzhou" } }));
      const toJiaxing = await h.bus.publish(eventOf("trace.requested", { data: { targetCity: "jiaxing" } }));
      const marker = await h.bus.publish(eventOf("policy.changed", { origin: "shanghai" }));
      const got = (city: "suzhou" | "jiaxing", id: string) => sink.received(city).some((n) => n.id === id);
      await waitFor(
        "the notices each city should get",
        () =>
          [toSuzhou, marker].every((p) => got("suzhou", p.id)) &&
          [own, toJiaxing, marker].every((p) => got("jiaxing", p.id)),
      );
      // Whatever was going to arrive wrongly has had the time the right ones took.
      expect(idsOf(sink.received("suzhou"))).toEqual([toSuzhou.id, marker.id].sort());
      expect(idsOf(sink.received("jiaxing"))).toEqual([own.id, toJiaxing.id, marker.id].sort());
      const receipts = await h.bus.receipts({ origin: "suzhou", id: own.id }, ["suzhou", "jiaxing"]);
      expect(receipts.pending).toEqual(["suzhou"]);
    } finally {
      await suzhou.stop();
      await jiaxing.stop();
      await sink.close();
    }
  });

  it("retries a down endpoint and completes the receipt once it recovers", async () => {
    await using h = await startHarness();
    const sink = await startWebhookSink({ secrets });
    sink.setMode("suzhou", "down");
    const relay = await createCityRelay({
      bus: h.bus,
      city: webhookCity("suzhou", sink.url),
      secret: secrets.suzhou,
      logger,
      maxAttempts: 20,
      backoffMs: [100],
    });
    try {
      const published = await h.bus.publish(eventOf("risk.changed", { origin: "hangzhou" }));
      await waitFor("two failed attempts", () => relay.status().failedAttempts >= 2);
      const notice = { origin: "hangzhou", id: published.id };
      expect((await h.bus.receipts(notice, ["suzhou"])).pending).toEqual(["suzhou"]);
      sink.setMode("suzhou", "up");
      await waitFor(
        "the receipt",
        async () => (await h.bus.receipts(notice, ["suzhou"])).pending.length === 0,
      );
      expect(idsOf(sink.received("suzhou"))).toEqual([published.id]);
    } finally {
      await relay.stop();
      await sink.close();
    }
  });

  it("exports how far behind the city is: notices waiting and seconds, back to 0 once caught up", async () => {
    await using h = await startHarness();
    const sink = await startWebhookSink({ secrets });
    sink.setMode("suzhou", "down");
    const registry = new Registry();
    const relay = await createCityRelay({
      bus: h.bus,
      city: webhookCity("suzhou", sink.url),
      secret: secrets.suzhou,
      logger,
      registry,
      maxAttempts: 50,
      backoffMs: [200],
    });
    const gauge = async (name: string) => {
      const line = (await registry.metrics()).split("\n").find((l) => l.startsWith(`${name}{city="suzhou"}`));
      return line === undefined ? undefined : Number(line.split(" ").at(-1));
    };
    try {
      for (let i = 0; i < 6; i++)
        await h.bus.publish(eventOf("risk.changed", { origin: "hangzhou", subject: `hangzhou-d${i}` }));
      await waitFor("a second behind", async () => ((await gauge("tongbao_relay_seconds_behind")) ?? 0) >= 1);
      expect(await gauge("tongbao_relay_waiting_notices")).toBe(6);

      sink.setMode("suzhou", "up");
      await waitFor("caught up", async () => (await gauge("tongbao_relay_waiting_notices")) === 0);
      expect(await gauge("tongbao_relay_seconds_behind")).toBe(0);
      expect(sink.received("suzhou")).toHaveLength(6);
    } finally {
      await relay.stop();
      await sink.close();
    }
    // A stopped relay's city leaves the scrapes after it.
    await waitFor(
      "suzhou out of the scrape",
      async () => (await gauge("tongbao_relay_waiting_notices")) === undefined,
    );
  });

  it("on a retry sends only to the URLs that have not accepted the notice yet", async () => {
    await using h = await startHarness();
    const first = await startWebhookSink({ secrets });
    const second = await startWebhookSink({ secrets });
    second.setMode("suzhou", "down");
    const urls = [`${first.url}/hooks/suzhou`, `${second.url}/hooks/suzhou`];
    const relay = await createCityRelay({
      bus: h.bus,
      city: cityWith("suzhou", { kind: "webhook", urls, secret: { env: "UNUSED" }, timeoutMs: 2_000 }),
      secret: secrets.suzhou,
      logger,
      maxAttempts: 20,
      backoffMs: [100],
    });
    try {
      const published = await h.bus.publish(eventOf("supply.requested", { origin: "jiaxing" }));
      await waitFor("three failed attempts", () => relay.status().failedAttempts >= 3);
      second.setMode("suzhou", "up");
      const notice = { origin: "jiaxing", id: published.id };
      await waitFor(
        "the receipt",
        async () => (await h.bus.receipts(notice, ["suzhou"])).pending.length === 0,
      );
      expect(first.received("suzhou")).toMatchObject([{ id: published.id, repeats: 0 }]);
      expect(second.received("suzhou")).toMatchObject([{ id: published.id, repeats: 0 }]);
    } finally {
      await relay.stop();
      await first.close();
      await second.close();
    }
  });

  it("dead-letters a notice after the last attempt, and carries on with the next", async () => {
    await using h = await startHarness();
    const mover = await h.bus.startDeadLetterMover();
    const sink = await startWebhookSink({ secrets });
    sink.setMode("suzhou", "down");
    const relay = await createCityRelay({
      bus: h.bus,
      city: webhookCity("suzhou", sink.url),
      secret: secrets.suzhou,
      logger,
      maxAttempts: 3,
      backoffMs: [50],
    });
    try {
      const lost = await h.bus.publish(eventOf("traffic.changed", { origin: "hangzhou" }));
      await waitFor(
        "the dead letter",
        async () => (await deadLetterAt(h.bus, "suzhou-relay", lost.seq)) !== null,
      );
      const letter = await deadLetterAt(h.bus, "suzhou-relay", lost.seq);
      expect(letter).toMatchObject({ reason: "handler-failed", attempts: 3 });
      expect(letter?.error).toContain("answered 503");
      sink.setMode("suzhou", "up");
      const next = await h.bus.publish(eventOf("traffic.changed", { origin: "hangzhou" }));
      await waitFor("the next notice", () => sink.received("suzhou").some((n) => n.id === next.id));
      expect(idsOf(sink.received("suzhou"))).toEqual([next.id]);
      expect(relay.status()).toMatchObject({ deadLettered: 1, failedAttempts: 2, delivered: 1 });
      expect((await h.bus.receipts({ origin: "hangzhou", id: lost.id }, ["suzhou"])).pending).toEqual([
        "suzhou",
      ]);
    } finally {
      await relay.stop();
      await sink.close();
      await mover.stop();
    }
  });

  it("a hanging endpoint of one city does not hold up another city's deliveries", async () => {
    await using h = await startHarness();
    const sink = await startWebhookSink({ secrets });
    sink.setMode("suzhou", "hang");
    // Suzhou's endpoint hangs far longer than the test: its deliveries stay stuck throughout.
    const suzhou = await createCityRelay({
      bus: h.bus,
      city: webhookCity("suzhou", sink.url, 60_000),
      secret: secrets.suzhou,
      logger,
    });
    const jiaxing = await createCityRelay({
      bus: h.bus,
      city: webhookCity("jiaxing", sink.url),
      secret: secrets.jiaxing,
      logger,
    });
    try {
      const outcomes = await h.bus.publishMany(
        Array.from({ length: 40 }, () => eventOf("pass.issued", { origin: "shanghai" })),
      );
      const ids = outcomes.map((o) => (o.ok ? o.published.id : "")).sort();
      await waitFor("every notice at jiaxing", () => sink.received("jiaxing").length === 40);
      expect(idsOf(sink.received("jiaxing"))).toEqual(ids);
      expect(sink.received("suzhou")).toEqual([]);
      expect(suzhou.status()).toMatchObject({ delivered: 0, failedAttempts: 0 });
      expect(suzhou.status().inFlight).toBeGreaterThan(0);
    } finally {
      // Closing the sink ends the hanging requests, so suzhou's relay can stop.
      await sink.close();
      await suzhou.stop();
      await jiaxing.stop();
    }
  });

  it("a store city's relay records the receipt once it has the notice, without HTTP", async () => {
    await using h = await startHarness();
    const delivered: Delivered[] = [];
    const relay = await createCityRelay({
      bus: h.bus,
      city: cityWith("ningbo", { kind: "store" }),
      logger,
      onDelivered: (d) => delivered.push(d),
    });
    try {
      const broadcast = await h.bus.publish(eventOf("case.reported", { origin: "hangzhou" }));
      const directed = await h.bus.publish(eventOf("trace.requested", { data: { targetCity: "ningbo" } }));
      for (const id of [broadcast.id, directed.id]) {
        const notice = { origin: "hangzhou", id };
        await waitFor(
          "the receipt",
          async () => (await h.bus.receipts(notice, ["ningbo"])).pending.length === 0,
        );
      }
      expect(delivered.map((d) => [d.stream, d.outcome]).sort()).toEqual([
        ["direct", "stored"],
        ["events", "stored"],
      ]);
      expect(relay.status()).toMatchObject({ delivery: "store", delivered: 2 });
    } finally {
      await relay.stop();
    }
  });

  it("refuses a webhook city without a usable secret, naming the city", async () => {
    await using h = await startHarness();
    const city = webhookCity("suzhou", "http://127.0.0.1:1");
    await expect(createCityRelay({ bus: h.bus, city, logger })).rejects.toThrow("the relay of suzhou needs");
    await expect(createCityRelay({ bus: h.bus, city, secret: "whsec_c2hvcnQ=", logger })).rejects.toThrow(
      "the webhook secret of suzhou must decode to at least 24 bytes",
    );
    await expect(createCityRelay({ bus: h.bus, city, secret: "not base64!", logger })).rejects.toThrow(
      'the webhook secret of suzhou is not "whsec_" followed by base64',
    );
  });
});
