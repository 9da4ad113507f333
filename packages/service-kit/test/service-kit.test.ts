import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, parseConfig, startOpsServer } from "../src/index.ts";

describe("config", () => {
  const schema = z.object({
    NATS_URL: z.string().url().default("nats://127.0.0.1:4222"),
    PORT: z.coerce.number().int().min(1).max(65535),
  });

  it("applies the schema's defaults", () => {
    expect(parseConfig(schema, { PORT: "8080" })).toEqual({ NATS_URL: "nats://127.0.0.1:4222", PORT: 8080 });
  });

  it("names every wrong variable and never its value", () => {
    const error = (() => {
      try {
        parseConfig(schema, { PORT: "s3cret-99999", NATS_URL: "not a url" });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/NATS_URL: .*; PORT: /);
    expect(error?.message).not.toContain("s3cret");
  });
});

describe("ops server", () => {
  it("answers health, readiness from real checks, and Prometheus metrics", async () => {
    let connected = true;
    const ops = await startOpsServer({ port: 0, checks: { nats: () => connected } });
    try {
      expect((await fetch(`${ops.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${ops.url}/readyz`)).status).toBe(200);
      connected = false;
      const notReady = await fetch(`${ops.url}/readyz`);
      expect(notReady.status).toBe(503);
      expect(await notReady.json()).toEqual({ status: "not ready", checks: { nats: false } });
      const metrics = await (await fetch(`${ops.url}/metrics`)).text();
      expect(metrics).toMatch(/^# HELP process_cpu_user_seconds_total/m);
    } finally {
      await ops.close();
    }
  });
});
