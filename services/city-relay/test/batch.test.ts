import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { eventOf } from "@tongbao/testkit";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { createCityRelay } from "../src/index.ts";
import { cityWith, logger, secrets, startHarness, waitFor } from "./support.ts";

interface Request {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

/** A city's endpoint that records every request and answers 503 to the first `failFirst`. */
const startEndpoint = async (failFirst: number) => {
  const requests: Request[] = [];
  const server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    const status = requests.length < failFirst ? 503 : 204;
    requests.push({ headers: req.headers, body, status });
    res.writeHead(status).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/suzhou`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
};

type Sent = { id: string; subject: string; type: string };

describe("batched webhooks, by the city's choice", () => {
  it("delivers notices as signed CloudEvents JSON batches, an aggregate's in order, a failed batch again", async () => {
    await using h = await startHarness();
    const endpoint = await startEndpoint(1);
    const relay = await createCityRelay({
      bus: h.bus,
      city: cityWith("suzhou", {
        kind: "webhook",
        urls: [endpoint.url],
        secret: { env: "UNUSED" },
        timeoutMs: 2_000,
        batch: { maxNotices: 5, maxWaitMs: 100 },
      }),
      secret: secrets.suzhou,
      logger,
      backoffMs: [50],
    });
    try {
      const passes = Array.from({ length: 12 }, (_, i) =>
        eventOf("pass.issued", { origin: "shanghai", subject: `SH-BATCH-${i}` }),
      );
      const stored = await h.bus.publishBatch(passes);
      const revoked = await h.bus.publish(
        eventOf("pass.revoked", { origin: "shanghai", subject: "SH-BATCH-3" }),
      );
      const published = [...stored.map((p) => p.id), revoked.id];
      await waitFor(
        "every receipt",
        async () =>
          (
            await Promise.all(published.map((id) => h.bus.receipts({ origin: "shanghai", id }, ["suzhou"])))
          ).every((r) => r.pending.length === 0),
        15_000,
      );
      const batches = endpoint.requests.map((request) => ({
        status: request.status,
        id: request.headers["webhook-id"] as string,
        type: request.headers["content-type"],
        events: new Webhook(secrets.suzhou).verify(
          request.body,
          request.headers as Record<string, string>,
        ) as Sent[],
      }));
      for (const batch of batches) {
        expect(batch.type).toBe("application/cloudevents-batch+json; charset=utf-8");
        expect(batch.id).toMatch(/^batch_[A-Za-z0-9_-]{32}$/);
        expect(batch.events.length).toBeGreaterThan(0);
        expect(batch.events.length).toBeLessThanOrEqual(5);
      }
      // The first batch was refused (503): its notices came again, and every notice was accepted once.
      expect(batches[0]?.status).toBe(503);
      const accepted = batches.filter((b) => b.status === 204).flatMap((b) => b.events.map((e) => e.id));
      expect([...accepted].sort()).toEqual([...published].sort());
      expect(batches.length).toBeLessThan(published.length);
      // SH-BATCH-3 was issued, then revoked: the revocation came in a later accepted batch.
      const batchOf = (type: string) =>
        batches.findIndex(
          (b) => b.status === 204 && b.events.some((e) => e.subject === "SH-BATCH-3" && e.type === type),
        );
      expect(batchOf("pass.issued")).toBeGreaterThanOrEqual(0);
      expect(batchOf("pass.revoked")).toBeGreaterThan(batchOf("pass.issued"));
    } finally {
      await relay.stop();
      await endpoint.close();
    }
  });
});
