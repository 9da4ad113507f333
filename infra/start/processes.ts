// Tongbao's services as child processes of `pnpm start`, each logging JSON to .tongbao/logs/<name>.log.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, openSync } from "node:fs";
import { join } from "node:path";

export interface ServiceProcess {
  readonly name: string;
  readonly logFile: string;
  readonly child: ChildProcess;
}

export interface Supervisor {
  start(name: string, script: string, env: Record<string, string>, args?: string[]): ServiceProcess;
  /** SIGTERM to every service, then waits for all of them (each has its own shutdown deadline). */
  stopAll(): Promise<void>;
  /** SIGTERM to one service, then waits for it (a benchmark swaps a service for another). */
  stop(name: string): Promise<void>;
  /** The process id of each running service by name (the soak reads their memory from /proc). */
  pids(): Record<string, number>;
}

/** Runs scripts of the repository at `root`, logging into `logs`. */
export const createSupervisor = (
  root: string,
  logs: string,
  onUnexpectedExit: (name: string, code: number | null) => void,
) => {
  mkdirSync(logs, { recursive: true });
  const running = new Map<string, ServiceProcess>();
  let stopping = false;
  /** Children told to stop one by one: their exit is expected. */
  const told = new WeakSet<ChildProcess>();
  // A parent that ends without stopping them (a benchmark or test that threw) takes its services
  // along, instead of leaving them running against a server that is gone.
  const orphanGuard = () => {
    for (const { child } of running.values()) child.kill("SIGTERM");
  };
  process.once("exit", orphanGuard);
  const supervisor: Supervisor = {
    start: (name, script, env, args = []) => {
      const logFile = join(logs, `${name}.log`);
      const out = openSync(logFile, "a");
      const child = spawn(process.execPath, [join(root, script), ...args], {
        cwd: root,
        env: { ...process.env, ...env },
        stdio: ["ignore", out, out],
      });
      child.once("exit", (code) => {
        if (running.get(name)?.child === child) running.delete(name);
        if (!stopping && !told.has(child)) onUnexpectedExit(name, code);
      });
      const service = { name, logFile, child };
      running.set(name, service);
      return service;
    },
    stop: async (name) => {
      const service = running.get(name);
      if (service === undefined) throw new Error(`no service ${name} is running`);
      running.delete(name);
      const { child } = service;
      if (child.exitCode !== null) return;
      told.add(child);
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
    stopAll: async () => {
      stopping = true;
      process.removeListener("exit", orphanGuard);
      const exits = [...running.values()].map(({ child }) =>
        child.exitCode === null ? once(child, "exit") : Promise.resolve(),
      );
      for (const { child } of running.values()) child.kill("SIGTERM");
      await Promise.all(exits);
    },
    pids: () =>
      Object.fromEntries(
        [...running].flatMap(([name, { child }]) => (child.pid === undefined ? [] : [[name, child.pid]])),
      ),
  };
  return supervisor;
};

/** Polls a service's readiness URL until it answers 200. */
export const waitReady = async (name: string, url: string, timeoutMs = 90_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${name} was not ready within ${timeoutMs / 1000} s; see its log`);
};
