// Each metro service does its real work under the NATS user generated for it (infra/nats/
// permissions.ts), on a real nats-server holding the generated authorization, and is refused what its
// role does not include. One metro, one server, the steps in order: the projector makes the read
// models the gateway and the console open, the gateway ingests what the relay and the watchdog act on.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Buckets, type Bus, connectBus, PermissionDeniedError, Streams, streamNamesOf } from "@tongbao/bus";
import { createCityRelay, newWebhookSecret, startWebhookSink, type WebhookSink } from "@tongbao/city-relay";
import { createConsole, hashToken as operatorHash } from "@tongbao/console";
import { type EventInput, METRO_ORIGIN } from "@tongbao/events";
import { hashToken as cityHash, createGateway } from "@tongbao/gateway";
import { type City, cityOf, Metro } from "@tongbao/metro";
import { createProjector, openReadModels, type Projector } from "@tongbao/projections";
import { createLogger } from "@tongbao/service-kit";
import { eventOf, type NatsServer, startNats } from "@tongbao/testkit";
import { createWatchdog, type Watchdog } from "@tongbao/watchdog";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usersOf } from "../../infra/nats/permissions.ts";
import { renderAuthorization } from "../../infra/nats/render.ts";
import { report, waitFor } from "./support.ts";

const CITIES = ["hangzhou", "shaoxing", "ningbo"] as const;
const CLI = join(import.meta.dirname, "../../packages/cli/src/main.ts");
const run = promisify(execFile);
// What the services wait for settles in well under a second; a denied step fails fast, not at 60 s.
const SETTLE_MS = 10_000;
const DENIED = /Permissions Violation|NATS denied/i;
const logger = createLogger("service-permissions-test", "silent");
const cityTokens = Object.fromEntries(CITIES.map((c) => [c, `tb_${c}_${randomBytes(8).toString("hex")}`]));
const operatorToken = `op-${randomBytes(12).toString("hex")}`;
const secrets = { shaoxing: newWebhookSecret() };

// A short acknowledgement window, so that the watchdog has something overdue within the test.
const metro = Metro.parse({
  id: "test",
  name: "test metro",
  timeZone: "Asia/Shanghai",
  acknowledgeWithinSeconds: 1,
  cities: CITIES.map((id) => ({
    id,
    name: id,
    districts: [
      { id: `${id}-centre`, name: "centre" },
      ...(id === "hangzhou" ? [{ id: "hangzhou-xiaoshan", name: "萧山" }] : []),
    ],
    delivery: { kind: "store" },
    gatewayTokenSha256: { env: `${id.toUpperCase()}_TOKEN_SHA256` },
  })),
});

let server: NatsServer;
const passwords = new Map<string, string>();
const closing: (() => Promise<unknown>)[] = [];
const as = async (user: string, topology = false): Promise<Bus> => {
  const bus = await connectBus({
    servers: server.url,
    name: `${user}-service-permissions`,
    credentials: { kind: "user", user, password: passwords.get(user) ?? "" },
    ...(topology ? {} : { topology: false as const }),
  });
  closing.push(() => bus.close());
  return bus;
};

beforeAll(async () => {
  const users = usersOf([...CITIES], [...CITIES], streamNamesOf({ kind: "single" }), true);
  // nats-server parses an environment value as a config value: a password starts with a letter.
  for (const u of users) passwords.set(u.user, `pw${randomBytes(12).toString("hex")}`);
  for (const u of users) process.env[u.passwordEnv] = passwords.get(u.user);
  server = await startNats({ extraConfig: renderAuthorization(users) });
  await as("admin", true);
});

afterAll(async () => {
  for (const close of closing.reverse()) await close().catch(() => undefined);
  await server?.[Symbol.asyncDispose]();
});

/** Pulling from another's durable consumer would take its messages from it: refused for everyone else. */
const pullFrom = (bus: Bus, durable: string) =>
  bus.connection.nc.request(`$JS.API.CONSUMER.MSG.NEXT.${Streams.events}.${durable}`, '{"batch":1}');

const listen = async (app: ReturnType<typeof createGateway>) => {
  closing.push(() => app.close());
  return app.listen({ host: "127.0.0.1", port: 0 });
};

/** What the steps share: the running services and what the gateway stored. */
const state = {
  projector: undefined as Projector | undefined,
  watchdog: undefined as Watchdog | undefined,
  gateway: "",
  sink: undefined as WebhookSink | undefined,
  pass: { id: "", key: "" },
  trace: "",
  lost: "",
  deadLetterSeq: 0,
};

const api = async (city: string, path: string, body?: EventInput) => {
  const { origin: _, ...sent } = body ?? ({} as Partial<EventInput>);
  const response = await fetch(`${state.gateway}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: {
      authorization: `Bearer ${cityTokens[city]}`,
      ...(body === undefined ? {} : { "content-type": "application/cloudevents+json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(sent) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the tests below check the fields they need
  return { status: response.status, body: (await response.json()) as any };
};

describe("metro services under their own generated NATS users", () => {
  it("projector: makes and folds its read models; cannot publish events or drop another bucket", async () => {
    const bus = await as("projector");
    const projector = createProjector({ bus, flushEveryMs: 50 });
    closing.push(() => projector.stop());
    await projector.ready;
    state.projector = projector;

    await expect(
      bus.publish(eventOf("pass.issued", { origin: "hangzhou", source: undefined })),
    ).rejects.toThrow(PermissionDeniedError);
    await expect(bus.connection.jsm.streams.delete(`KV_${Buckets.handled}`)).rejects.toThrow(DENIED);
    await expect(bus.connection.jsm.streams.purge(Streams.events)).rejects.toThrow(DENIED);
    await expect(pullFrom(bus, "shaoxing-relay")).rejects.toThrow(DENIED);
  });

  it("watchdog: starts its durable consumers; cannot publish as a city", async () => {
    const bus = await as("watchdog");
    state.watchdog = await createWatchdog({ bus, metro, logger });
    closing.push(() => state.watchdog?.stop() ?? Promise.resolve());
    const spoof = bus.publish(eventOf("pass.issued", { origin: "hangzhou", source: undefined }));
    await expect(spoof).rejects.toThrow(PermissionDeniedError);
    await expect(pullFrom(bus, "ningbo-relay")).rejects.toThrow(DENIED);
  });

  it("gateway: ingests over HTTP and answers history, receipts, passes and the risk map; cannot speak for the metro or drop a stream", async () => {
    const bus = await as("gateway");
    const app = createGateway({
      bus,
      metro,
      tokens: Object.fromEntries(Object.entries(cityTokens).map(([c, t]) => [c, cityHash(t)])),
      readModels: await openReadModels(bus, metro),
    });
    state.gateway = await listen(app);

    const pass = eventOf("pass.issued", { origin: "hangzhou", data: { validIn: ["hangzhou", "shaoxing"] } });
    const stored = await api("hangzhou", "/v1/events", pass);
    expect(stored.status, JSON.stringify(stored.body)).toBe(202);
    state.pass = { id: stored.body.id, key: pass.subject };
    const risk = await api(
      "hangzhou",
      "/v1/events",
      eventOf("risk.changed", { origin: "hangzhou", subject: "hangzhou-xiaoshan" }),
    );
    expect(risk.status, JSON.stringify(risk.body)).toBe(202);
    // A case report is decided against the case's events, read from EVENTS, before it is stored.
    const caseReport = await api("hangzhou", "/v1/events", eventOf("case.reported", { origin: "hangzhou" }));
    expect(caseReport.status, JSON.stringify(caseReport.body)).toBe(202);
    const trace = await api("hangzhou", "/v1/events", eventOf("trace.requested", { origin: "hangzhou" }));
    expect(trace.status, JSON.stringify(trace.body)).toBe(202);
    state.trace = trace.body.id;

    const history = await api("shaoxing", "/v1/events?type=pass.issued");
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    expect(history.body.events.map((e: { id: string }) => e.id)).toEqual([state.pass.id]);
    const directed = await api("shaoxing", "/v1/events?directed=true");
    expect(directed.status, JSON.stringify(directed.body)).toBe(200);
    expect(directed.body.events.map((e: { id: string }) => e.id)).toEqual([state.trace]);

    const at = encodeURIComponent("2020-03-01T00:00:00+08:00");
    await waitFor(
      "the projector to fold the pass",
      async () => (await api("shaoxing", `/v1/passes/${state.pass.key}?at=${at}`)).body.status === "valid",
      SETTLE_MS,
    );
    const receipts = await api("shaoxing", `/v1/notices/${state.pass.id}/receipts`);
    expect(receipts.status, JSON.stringify(receipts.body)).toBe(200);
    expect(receipts.body.pending).toEqual(["shaoxing", "ningbo"]);
    const map = await api("ningbo", "/v1/risk");
    expect(map.status, JSON.stringify(map.body)).toBe(200);
    expect(map.body.districts.map((d: { districtId: string }) => d.districtId)).toContain(
      "hangzhou-xiaoshan",
    );
    const past = await api("ningbo", `/v1/risk?asOf=${at}&by=recorded`);
    expect(past.status, JSON.stringify(past.body)).toBe(200);

    const asMetro = bus.publish(
      eventOf("notice.overdue", { origin: METRO_ORIGIN, source: "/metro/watchdog" }),
    );
    await expect(asMetro).rejects.toThrow(PermissionDeniedError);
    await expect(bus.connection.jsm.streams.delete(Streams.events)).rejects.toThrow(DENIED);
    await expect(bus.connection.jsm.streams.purge(Streams.direct)).rejects.toThrow(DENIED);
    await expect(pullFrom(bus, "metro-watchdog")).rejects.toThrow(DENIED);
  });

  it("projector: rebuilds its read models from the log", async () => {
    const figures = await state.projector?.rebuild();
    expect(figures?.events).toBeGreaterThanOrEqual(3);
    const at = encodeURIComponent("2020-03-01T00:00:00+08:00");
    const check = await api("hangzhou", `/v1/passes/${state.pass.key}?at=${at}`);
    expect(check.body.status).toBe("valid");
  });

  it("city relay under its city's user: delivers broadcasts and its directed messages, records receipts, dead-letters; cannot read another city's consumer", async () => {
    const bus = await as("shaoxing");
    const sink = await startWebhookSink({ secrets });
    closing.push(() => sink.close());
    state.sink = sink;
    const city: City = {
      ...(cityOf(metro, "shaoxing") as City),
      delivery: {
        kind: "webhook",
        urls: [`${sink.url}/hooks/shaoxing`],
        secret: { env: "UNUSED" },
        timeoutMs: 2_000,
      },
    };
    const relay = await createCityRelay({
      bus,
      city,
      secret: secrets.shaoxing,
      logger,
      maxAttempts: 2,
      backoffMs: [100],
    });
    closing.push(() => relay.stop());

    await waitFor(
      "the pass and the trace request at Shaoxing's webhook",
      () => [state.pass.id, state.trace].every((id) => sink.received("shaoxing").some((n) => n.id === id)),
      SETTLE_MS,
    );
    await waitFor(
      "Shaoxing's receipt of the pass",
      async () => {
        const r = await api("hangzhou", `/v1/notices/${state.pass.id}/receipts`);
        return r.body.acknowledged?.some((a: { city: string }) => a.city === "shaoxing") === true;
      },
      SETTLE_MS,
    );

    sink.setMode("shaoxing", "down");
    const lost = await api("hangzhou", "/v1/events", eventOf("pass.issued", { origin: "hangzhou" }));
    expect(lost.status).toBe(202);
    state.lost = lost.body.id;
    const admin = await as("admin");
    await waitFor(
      "the undeliverable notice in DEADLETTER",
      async () => {
        const letters = await admin.deadLetters.list({ consumer: "shaoxing-relay" });
        state.deadLetterSeq = letters.find((l) => l.payload?.includes(state.lost))?.dlqSeq ?? 0;
        return state.deadLetterSeq > 0;
      },
      SETTLE_MS,
    );
    sink.setMode("shaoxing", "up");

    await expect(bus.connection.jsm.consumers.info(Streams.events, "ningbo-relay")).rejects.toThrow(DENIED);
    const steal = bus.subscribe({ city: "ningbo", service: "relay", handler: async () => {} });
    await expect(steal).rejects.toThrow(DENIED);

    // How far behind a relay is: its city reads its own, never another's; the watchdog reads each.
    expect((await bus.relayLag("shaoxing")).map((c) => c.consumer)).toContain("shaoxing-relay");
    await expect(bus.relayLag("ningbo")).rejects.toThrow(DENIED);
    const watchdog = await as("watchdog");
    expect((await watchdog.relayLag("shaoxing")).map((c) => `${c.stream}/${c.consumer}`)).toEqual([
      `${Streams.events}/shaoxing-relay`,
      `${Streams.redrive}/shaoxing-relay-redrive`,
      `${Streams.direct}/shaoxing-relay-direct`,
      `${Streams.redrive}/shaoxing-relay-direct-redrive`,
    ]);
    await expect(pullFrom(watchdog, "shaoxing-relay")).rejects.toThrow(DENIED);
  });

  it("watchdog: raises notice.overdue under the metro's name for the notice Ningbo never acknowledged", async () => {
    await waitFor(
      "notice.overdue for the pass",
      async () => {
        const r = await api("hangzhou", "/v1/events?type=notice.overdue");
        return (
          r.body.events?.some((e: { subject: string }) => e.subject === `hangzhou_${state.pass.id}`) === true
        );
      },
      SETTLE_MS,
    );
  });

  it("console under `operator`: reads, but cannot re-drive or drop a dead letter", async () => {
    const desk = await startConsole("operator");
    const listed = await desk.get("/api/dead-letters?consumer=shaoxing-relay");
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    expect(listed.body.deadLetters.map((l: { dlqSeq: number }) => l.dlqSeq)).toContain(state.deadLetterSeq);
    const redrive = await desk.post("/api/dead-letters/redrive", { dlqSeq: state.deadLetterSeq });
    const drop = await desk.post("/api/dead-letters/drop", { dlqSeq: state.deadLetterSeq });
    // Refused, and said so: not an internal error, not "dropped 0".
    for (const refused of [redrive, drop]) {
      expect(refused.status, JSON.stringify(refused.body)).toBe(403);
      expect(refused.body.error).toMatch(/console's NATS user may not/);
    }
    const letter = await desk.get(`/api/dead-letters/${state.deadLetterSeq}`);
    expect(letter.status, JSON.stringify(letter.body)).toBe(200);
    // Neither re-driven nor dropped.
    expect(letter.body.redriven).toBeUndefined();
    await expect(pullFrom(await as("operator"), "shaoxing-relay")).rejects.toThrow(DENIED);
    report("console as operator", {
      redrive: [redrive.status, redrive.body],
      drop: [drop.status, drop.body],
    });
  });

  it("tongbao CLI under `operator`: replay, receipts, dead letters; re-drive refused (exit 5)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tongbao-service-permissions-"));
    closing.push(() => rm(dir, { recursive: true, force: true }));
    const metroFile = join(dir, "metro.json");
    await writeFile(metroFile, JSON.stringify(metro));
    const env = {
      ...process.env,
      LOG_LEVEL: "silent",
      NATS_URL: server.url,
      NATS_USER: "operator",
      NATS_PASSWORD: passwords.get("operator"),
      METRO: metroFile,
    };
    const cli = (...args: string[]) =>
      run(process.execPath, [CLI, ...args, "--json"], { env }).then(
        ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
        (error: { code: number; stdout: string; stderr: string }) => error,
      );
    const [replayed, receipts, listed, redrive] = await Promise.all([
      cli("replay", "--type", "pass.issued"),
      cli("receipts", state.pass.id),
      cli("dlq", "list", "--consumer", "shaoxing-relay"),
      cli("dlq", "redrive", String(state.deadLetterSeq)),
    ]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toContain(state.pass.id);
    expect(receipts.code, receipts.stderr).toBe(0);
    expect(JSON.parse(receipts.stdout).acknowledged.map((a: { city: string }) => a.city)).toEqual([
      "shaoxing",
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`"dlqSeq":${state.deadLetterSeq}`);
    expect(redrive.code, redrive.stderr).toBe(5);
    expect(redrive.stderr).toMatch(/denied/i);
  });

  it("console under `console`: replay, receipts and dead letters; a re-drive reaches Shaoxing's webhook, a drop removes the letter", async () => {
    const desk = await startConsole("console");
    const window = `since=${encodeURIComponent("2020-02-01T00:00:00+08:00")}&until=${encodeURIComponent("2020-04-01T00:00:00+08:00")}`;
    const replay = await desk.get(`/api/replay?${window}&type=pass.issued`);
    expect(replay.status, JSON.stringify(replay.body)).toBe(200);
    expect(replay.body.events.map((e: { id: string }) => e.id)).toContain(state.pass.id);
    const receipts = await desk.get(`/api/receipts?notices=hangzhou.${state.pass.id}`);
    expect(receipts.status, JSON.stringify(receipts.body)).toBe(200);
    expect(receipts.body.receipts[0].acknowledged.map((a: { city: string }) => a.city)).toEqual(["shaoxing"]);
    const letters = await desk.get("/api/dead-letters?consumer=shaoxing-relay");
    expect(letters.status, JSON.stringify(letters.body)).toBe(200);
    expect(letters.body.deadLetters.map((l: { dlqSeq: number }) => l.dlqSeq)).toContain(state.deadLetterSeq);

    const redrive = await desk.post("/api/dead-letters/redrive", { dlqSeq: state.deadLetterSeq });
    expect(redrive.status, JSON.stringify(redrive.body)).toBe(200);
    expect(redrive.body).toEqual({ redriven: 1, skipped: 0 });
    await waitFor(
      "the re-driven notice at Shaoxing's webhook",
      () => state.sink?.received("shaoxing").some((n) => n.id === state.lost) === true,
      SETTLE_MS,
    );
    const drop = await desk.post("/api/dead-letters/drop", { dlqSeq: state.deadLetterSeq });
    expect(drop.status, JSON.stringify(drop.body)).toBe(200);
    expect(drop.body).toEqual({ dropped: 1 });
    expect((await desk.get(`/api/dead-letters/${state.deadLetterSeq}`)).status).toBe(404);
  });
});

/** The console, under the given NATS user, spoken to with an operator's bearer token. */
const startConsole = async (user: string) => {
  const bus = await as(user);
  const app = createConsole({
    bus,
    metro,
    readModels: await openReadModels(bus, metro),
    deadLetters: bus.deadLetters,
    operators: { ada: operatorHash(operatorToken) },
  });
  const url = await listen(app);
  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method: body === undefined ? "GET" : "POST",
      headers: {
        authorization: `Bearer ${operatorToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the tests check the fields they need
    return { status: response.status, body: (await response.json()) as any };
  };
  return { get: (path: string) => call(path), post: call };
};
