// Shared by the fault tests: services as real processes next to a testkit nats-server, and figures.
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ReceivedNotice } from "@tongbao/city-relay";
import { createSupervisor, type ServiceProcess, waitReady } from "../../../infra/start/processes.ts";
import { root } from "../../support/metro.ts";

export { root };

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

/** Prints a figure of a fault test, prefixed so that it is easy to find in vitest's output. */
export const report = (test: string, figures: Record<string, unknown>) => {
  const line = Object.entries(figures)
    .map(([name, value]) => `${name}=${typeof value === "number" ? +value.toFixed(2) : value}`)
    .join(" ");
  console.log(`[faults] ${test}: ${line}`);
};

/** A temporary directory for metro files and logs, removed on dispose. */
export const scratch = async (prefix: string) => {
  const dir = await mkdtemp(join(tmpdir(), `tongbao-${prefix}-`));
  return { dir, [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }) };
};

export interface Processes extends AsyncDisposable {
  start(name: string, script: string, env: Record<string, string>, args?: string[]): ServiceProcess;
  /** Starts a service with an ops port and waits until its /readyz answers 200. */
  startReady(
    name: string,
    script: string,
    env: Record<string, string>,
    opsPort: number,
  ): Promise<ServiceProcess>;
  /** kill -9, and waits for the exit. */
  kill(service: ServiceProcess): Promise<void>;
  /** Everything the named process wrote. */
  log(name: string): Promise<string>;
}

/** Services of the repository as child processes, logging into `dir`/logs; all stopped on dispose. */
export const processes = (dir: string): Processes => {
  const logs = join(dir, "logs");
  const supervisor = createSupervisor(root, logs, () => undefined);
  return {
    start: (name, script, env, args) => supervisor.start(name, script, env, args),
    startReady: async (name, script, env, opsPort) => {
      const service = supervisor.start(name, script, { ...env, OPS_PORT: String(opsPort) });
      await waitReady(name, `http://127.0.0.1:${opsPort}/readyz`);
      return service;
    },
    kill: async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
    log: (name) => readFile(join(logs, `${name}.log`), "utf8").catch(() => ""),
    [Symbol.asyncDispose]: () => supervisor.stopAll(),
  };
};

/** What one city's systems got: distinct notices, and deliveries they de-duplicated. */
export const tally = (received: readonly ReceivedNotice[]) => ({
  notices: received.length,
  distinct: new Set(received.map((n) => n.webhookId)).size,
  repeats: received.reduce((sum, n) => sum + n.repeats, 0),
});

/** The count of a relay's deliveries with `outcome`, from its Prometheus /metrics. */
/** A city's relay's delivery count with `outcome`, from the metrics of the process it runs in. */
export const deliveriesOf = async (opsPort: number, city: string, outcome: string): Promise<number> => {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith("tongbao_relay_deliveries_total{") &&
        l.includes(`city="${city}"`) &&
        l.includes(`outcome="${outcome}"`),
    );
  return line === undefined ? 0 : Number(line.split(" ").at(-1));
};

/** SIGTERM (the service's graceful stop), and waits for the exit. */
export const stop = async ({ child }: ServiceProcess): Promise<number | null> => {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, "exit") as Promise<[number | null]>;
  child.kill("SIGTERM");
  return (await exited)[0];
};

/** Waits for a process to end by itself; its exit code. */
export const exitOf = async ({ child }: ServiceProcess): Promise<number | null> => {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  return ((await once(child, "exit")) as [number | null])[0];
};
