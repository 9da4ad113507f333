import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { startWebhookSink } from "../src/index.ts";
import { secrets } from "./support.ts";

const post = (
  url: string,
  secret: string,
  id: string,
  body: string,
  contentType = "application/cloudevents+json; charset=utf-8",
) => {
  const now = new Date();
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": contentType,
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": new Webhook(secret).sign(id, now, body),
    },
    body,
  });
};

const event = JSON.stringify({
  specversion: "1.0",
  id: "0193f3a0-1c2d-7e4f-8a9b-0c1d2e3f4a5b",
  type: "case.reported",
  origin: "hangzhou",
  status: "actual",
  time: new Date(Date.now() - 1_500).toISOString(),
  data: {},
});

describe("webhook sink", () => {
  it("refuses a signature made with another city's secret", async () => {
    await using sink = await startDisposableSink();
    const response = await post(`${sink.url}/hooks/suzhou`, secrets.jiaxing, "hangzhou:1", event);
    expect(response.status).toBe(401);
    expect(sink.received("suzhou")).toEqual([]);
  });

  it("acts once per webhook-id and still answers 2xx to a repeat", async () => {
    await using sink = await startDisposableSink();
    for (let i = 0; i < 2; i++) {
      expect((await post(`${sink.url}/hooks/suzhou`, secrets.suzhou, "hangzhou:1", event)).status).toBe(204);
    }
    const [notice, ...rest] = sink.received("suzhou");
    expect(rest).toEqual([]);
    expect(notice).toMatchObject({
      webhookId: "hangzhou:1",
      type: "case.reported",
      origin: "hangzhou",
      repeats: 1,
    });
    expect(notice?.latencyMs).toBeGreaterThanOrEqual(1_500);
    const listed = await (await fetch(`${sink.url}/hooks/suzhou`)).json();
    expect(listed).toEqual([notice]);
    expect(await (await fetch(`${sink.url}/hooks`)).json()).toMatchObject({ suzhou: 1, jiaxing: 0 });
  });

  it("takes a CloudEvents JSON batch, acting once per notice across batches", async () => {
    await using sink = await startDisposableSink();
    const second = JSON.stringify({ ...JSON.parse(event), id: "0193f3a0-1c2d-7e4f-8a9b-0c1d2e3f4a5c" });
    const batchType = "application/cloudevents-batch+json; charset=utf-8";
    const url = `${sink.url}/hooks/suzhou`;
    expect((await post(url, secrets.suzhou, "batch_a", `[${event},${second}]`, batchType)).status).toBe(204);
    // The second notice again, retried in another batch.
    expect((await post(url, secrets.suzhou, "batch_b", `[${second}]`, batchType)).status).toBe(204);
    expect(sink.received("suzhou").map((n) => [n.webhookId, n.repeats])).toEqual([
      ["batch_a", 0],
      ["batch_a", 1],
    ]);
    expect((await post(url, secrets.suzhou, "batch_c", event, batchType)).status).toBe(400);
  });

  it("answers 503 while a city's system is down, and 404 for a city it does not know", async () => {
    await using sink = await startDisposableSink();
    sink.setMode("suzhou", "down");
    expect((await post(`${sink.url}/hooks/suzhou`, secrets.suzhou, "hangzhou:2", event)).status).toBe(503);
    expect((await post(`${sink.url}/hooks/lhasa`, secrets.suzhou, "hangzhou:2", event)).status).toBe(404);
    expect(sink.received("suzhou")).toEqual([]);
  });
});

const startDisposableSink = async () => {
  const sink = await startWebhookSink({ secrets });
  return Object.assign(sink, { [Symbol.asyncDispose]: () => sink.close() });
};
