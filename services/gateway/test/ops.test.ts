import { eventOf } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asSent, bearer, type Harness, startGateway } from "./support.ts";

let gateway: Harness;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.[Symbol.asyncDispose]();
});

const get = (url: string) => gateway.app.inject({ method: "GET", url });

describe("operations and documents", () => {
  it("answers /healthz and /readyz from the NATS connection", async () => {
    expect((await get("/healthz")).json()).toEqual({ status: "ok" });
    const ready = await get("/readyz");
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: "ready", checks: { nats: true } });
  });

  it("counts requests by route and status, and times publishes, in Prometheus text format", async () => {
    await gateway.app.inject({
      method: "POST",
      url: "/v1/events",
      headers: { ...bearer("hangzhou"), "content-type": "application/cloudevents+json" },
      payload: asSent(eventOf("supply.requested")),
    });
    await gateway.app.inject({ method: "GET", url: "/v1/events" });
    const metrics = await get("/metrics");
    expect(metrics.headers["content-type"]).toMatch(/^text\/plain/);
    expect(metrics.body).toContain(
      'tongbao_gateway_requests_total{route="/v1/events",method="POST",status="202"} 1',
    );
    expect(metrics.body).toContain(
      'tongbao_gateway_requests_total{route="/v1/events",method="GET",status="401"} 1',
    );
    expect(metrics.body).toMatch(/^tongbao_gateway_publish_seconds_count\{kind="event"\} 1$/m);
    expect(metrics.body).toContain(
      'tongbao_gateway_events_published_total{origin="hangzhou",duplicate="false"} 1',
    );
    expect(metrics.body).toContain("process_cpu_seconds_total");
  });

  it("serves the event schemas, the AsyncAPI and the OpenAPI documents without a token", async () => {
    const list = (await get("/v1/schemas")).json<{ schemas: { name: string; current: boolean }[] }>();
    expect(list.schemas).toContainEqual(expect.objectContaining({ name: "risk.changed.v1", current: false }));
    expect(list.schemas).toContainEqual(expect.objectContaining({ name: "risk.changed.v2", current: true }));
    const current = await get("/v1/schemas/risk.changed");
    expect(current.headers["content-type"]).toMatch(/^application\/schema\+json/);
    expect(current.json().$id).toBe("urn:tongbao:schema:risk.changed:v2");
    expect((await get("/v1/schemas/envelope")).statusCode).toBe(200);
    expect((await get("/v1/schemas/case.invented")).statusCode).toBe(404);
    expect((await get("/v1/asyncapi.json")).json().asyncapi).toMatch(/^3\./);
    const openapi = (await get("/v1/openapi.json")).json();
    expect(openapi.openapi).toBe("3.1.0");
    expect(Object.keys(openapi.paths)).toContain("/v1/notices/{id}/receipts");
  });

  it("answers an unknown route with 404 in JSON", async () => {
    const response = await get("/v2/nothing?x=1");
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: "no route GET /v2/nothing" });
  });
});
