import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { connectBus } from "@tongbao/bus";
import { eventOf, startNats } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

const run = (args: string[], natsUrl: string) => {
  const child = spawn(process.execPath, [main, ...args], {
    cwd: root,
    env: { ...process.env, NATS_URL: natsUrl, OPS_PORT: "0", LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output, exited: once(child, "exit") as Promise<[number | null]> };
};

const waitFor = async (what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe("the projector process", () => {
  it("is ready once caught up, and stops cleanly on SIGTERM", async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "test" });
    await bus.publishBatch(Array.from({ length: 20 }, () => eventOf("pass.issued", {})));
    const service = run([], nats.url);
    let ops = "";
    await waitFor("the ops endpoint", () => {
      ops = /"ops":"(http:[^"]+)"/.exec(service.output())?.[1] ?? "";
      return ops !== "";
    });
    await waitFor("readiness", async () => (await fetch(`${ops}/readyz`)).status === 200);
    const passes = await bus.openStore("rm-passes");
    const keys: string[] = [];
    for await (const key of passes.keys()) keys.push(key);
    expect(keys).toHaveLength(20);
    service.child.kill("SIGTERM");
    expect((await service.exited)[0]).toBe(0);
  });

  it("rebuilds on command and prints how fast", async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "test" });
    await bus.publishBatch(Array.from({ length: 30 }, () => eventOf("risk.changed", {})));
    const rebuild = run(["rebuild", "risk"], nats.url);
    expect((await rebuild.exited)[0]).toBe(0);
    expect(rebuild.output()).toMatch(/rebuilt risk: 30 events in [\d.]+ s \(\d+ events\/s\)/);

    const wrong = run(["rebuild", "nonsense"], nats.url);
    expect((await wrong.exited)[0]).toBe(1);
    expect(wrong.output()).toMatch(/not a read model/);
  });
});
