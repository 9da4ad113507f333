import { eventOf } from "@tongbao/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asSent, bearer, type Harness, startGateway } from "./support.ts";

const cloudevent = { "content-type": "application/cloudevents+json" };
const batchType = { "content-type": "application/cloudevents-batch+json" };

let gateway: Harness;
beforeAll(async () => {
  gateway = await startGateway({ limits: { bodyBytes: 64 * 1024, batchEvents: 5 } });
});
afterAll(async () => {
  await gateway?.[Symbol.asyncDispose]();
});

const post = (
  city: "hangzhou" | "shaoxing" | "shanghai",
  payload: unknown,
  headers: Record<string, string> = cloudevent,
) =>
  gateway.app.inject({
    method: "POST",
    url: "/v1/events",
    headers: { ...bearer(city), ...headers },
    payload: typeof payload === "string" || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
  });

const storedUnder = async (key: string) => {
  const found = [];
  for await (const replayed of gateway.bus.replay({ key })) found.push(replayed.event);
  return found;
};

describe("POST /v1/events", () => {
  it("stores an event once JetStream has it, filling origin, source, id, time and specversion", async () => {
    const event = asSent(eventOf("supply.requested"));
    const response = await post("hangzhou", event);
    expect(response.statusCode).toBe(202);
    const body = response.json<{ id: string; seq: number; duplicate: boolean }>();
    expect(body).toMatchObject({ duplicate: false });
    expect(body.seq).toBeGreaterThan(0);
    const [stored] = await storedUnder(event.subject as string);
    expect(stored).toMatchObject({
      id: body.id,
      origin: "hangzhou",
      source: "/cities/hangzhou/gateway",
      specversion: "1.0",
      type: "supply.requested",
    });
    expect(stored?.time).toBeTypeOf("string");
  });

  it("stores a retried request with the same event id once", async () => {
    const event: Record<string, unknown> = {
      ...asSent(eventOf("supply.offered")),
      id: "0190c3a0-1111-7000-8000-00000000abcd",
    };
    const first = await post("shaoxing", event, { "content-type": "application/json" });
    const retry = await post("shaoxing", event, { "content-type": "application/json; charset=utf-8" });
    expect(first.statusCode).toBe(202);
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ ...first.json(), duplicate: true });
    expect(await storedUnder(event.subject as string)).toHaveLength(1);
  });

  it("answers 400 naming every offending field, and stores nothing", async () => {
    const event = asSent(eventOf("supply.requested", { data: { quantity: -5, unit: undefined } }));
    const response = await post("hangzhou", { ...event, colour: "red" });
    expect(response.statusCode).toBe(400);
    const { issues } = response.json<{ issues: { path: string; message: string }[] }>();
    expect(issues.map((i) => i.path).sort()).toEqual(["colour", "data.quantity", "data.unit"]);
    expect(await storedUnder(event.subject as string)).toHaveLength(0);
  });

  it("answers 400 for a body that is not JSON or not UTF-8, without quoting it", async () => {
    const notJson = await post("hangzhou", '{"type": "case.reported", "data": {"name": 张三');
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error).toMatch(/^the body is not valid JSON/);
    expect(notJson.body).not.toContain("张三");
    const notUtf8 = await post("hangzhou", Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    expect(notUtf8.statusCode).toBe(400);
    expect(notUtf8.json()).toEqual({ error: "the body is not valid UTF-8" });
    const array = await post("hangzhou", [asSent(eventOf("supply.requested"))]);
    expect(array.statusCode).toBe(400);
    expect(array.json().error).toContain("application/cloudevents-batch+json");
  });

  it("answers 401 without a token or with a token that is no city's", async () => {
    const event = asSent(eventOf("supply.requested"));
    const missing = await gateway.app.inject({
      method: "POST",
      url: "/v1/events",
      headers: cloudevent,
      payload: event,
    });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers["www-authenticate"]).toMatch(/^Bearer/);
    const unknown = await gateway.app.inject({
      method: "POST",
      url: "/v1/events",
      headers: { ...cloudevent, authorization: "Bearer not-a-city-token" },
      payload: event,
    });
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual({ error: "the bearer token is not a city's token" });
    expect(await storedUnder(event.subject as string)).toHaveLength(0);
  });

  it("answers 403 to an event in another city's name", async () => {
    const event = eventOf("supply.requested", { origin: "shanghai" });
    const response = await post("hangzhou", event);
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toContain('"shanghai"');
    expect(await storedUnder(event.subject)).toHaveLength(0);
  });

  it("answers 403 to an append to a case another city owns (首接负责制)", async () => {
    const reported = asSent(eventOf("case.reported"));
    expect((await post("hangzhou", reported)).statusCode).toBe(202);
    const closed = asSent(eventOf("case.closed", { subject: reported.subject as string }));
    const response = await post("shaoxing", closed);
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toContain("owned by hangzhou");
    expect((await post("hangzhou", closed)).statusCode).toBe(202);
  });

  it("answers 413 to a body over the limit and to a batch over its size", async () => {
    const big = asSent(eventOf("policy.changed", { data: { summary: "x".repeat(70 * 1024) } }));
    const tooLarge = await post("hangzhou", big);
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toEqual({ error: "the body is larger than 65536 bytes" });
    const six = Array.from({ length: 6 }, () => asSent(eventOf("supply.requested")));
    const tooMany = await post("hangzhou", six, batchType);
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json()).toEqual({ error: "a batch holds at most 5 events" });
  });

  it("answers 415 to another content type", async () => {
    const response = await post("hangzhou", JSON.stringify(asSent(eventOf("supply.requested"))), {
      "content-type": "text/plain",
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().error).toContain("application/cloudevents+json");
  });

  it("stores a batch and answers per event, in order", async () => {
    const batch = [
      asSent(eventOf("supply.requested")),
      asSent(eventOf("risk.changed", { origin: "shanghai" })),
      asSent(eventOf("supply.offered")),
    ];
    const response = await post("shanghai", batch, batchType);
    expect(response.statusCode).toBe(202);
    const { results } = response.json<{ results: { id: string; seq: number; duplicate: boolean }[] }>();
    expect(results).toHaveLength(3);
    for (const [i, event] of batch.entries()) {
      const [stored] = await storedUnder(event.subject as string);
      expect(stored?.id).toBe(results[i]?.id);
      expect(stored?.origin).toBe("shanghai");
    }
  });

  it("stores nothing of a batch with an invalid event, naming its fields by index", async () => {
    const good = asSent(eventOf("supply.requested"));
    const bad = asSent(eventOf("supply.offered", { data: { quantity: "many" as never } }));
    const response = await post("shanghai", [good, bad, "nonsense"], batchType);
    expect(response.statusCode).toBe(400);
    const { issues } = response.json<{ issues: { path: string }[] }>();
    expect(issues.map((i) => i.path)).toEqual(["[1].data.quantity", "[2]"]);
    expect(await storedUnder(good.subject as string)).toHaveLength(0);
  });

  it("stores nothing of a batch whose one event a decider refuses, naming it", async () => {
    const reported = asSent(eventOf("case.reported"));
    expect((await post("hangzhou", reported)).statusCode).toBe(202);
    const good = asSent(eventOf("supply.requested"));
    const intruding = asSent(eventOf("case.closed", { subject: reported.subject as string }));
    const response = await post("shaoxing", [good, intruding], batchType);
    expect(response.statusCode).toBe(403);
    expect(response.json().error).toMatch(/^event \[1\]: case .* is owned by hangzhou/);
    expect(await storedUnder(good.subject as string)).toHaveLength(0);
  });

  it("answers a repeated batch as stored before, and refuses one mixing broadcasts and directed messages", async () => {
    const batch = [
      asSent(eventOf("supply.requested")),
      asSent(eventOf("risk.changed", { origin: "shanghai" })),
    ].map((e, i) => ({
      ...e,
      id: `0190c3a0-0000-7000-8000-0000000b0${i}00`,
    }));
    const first = await post("shanghai", batch, batchType);
    expect(first.statusCode).toBe(202);
    const again = await post("shanghai", batch, batchType);
    expect(again.statusCode).toBe(202);
    const seqs = (r: typeof first) => r.json<{ results: { seq: number; duplicate: boolean }[] }>().results;
    expect(seqs(again)).toEqual(seqs(first).map((r) => ({ ...r, duplicate: true })));
    expect(await storedUnder(String((batch[0] as Record<string, unknown>).subject))).toHaveLength(1);

    const mixed = [asSent(eventOf("supply.requested")), asSent(eventOf("trace.requested"))];
    const refused = await post("hangzhou", mixed, batchType);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error).toContain("separate batches");
  });
});
