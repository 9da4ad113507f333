import { type ChildProcess, spawn } from "node:child_process";
import { open, readFile } from "node:fs/promises";

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly error?: Error;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Settles once the process is gone (or could not be spawned); never rejects. */
  readonly exited: Promise<ExitStatus>;
}

// Children still running; they must die with the test process, or a leaked nats-server would hold its
// ports and store. vitest ends a forks-pool worker with SIGTERM (SIGKILL 1 s later), which skips
// 'exit' handlers, so the usual termination signals are covered too.
const running = new Set<ChildProcess>();
const terminationSignals = ["SIGTERM", "SIGINT", "SIGHUP"] as const;
let hooksInstalled = false;

function killRunningChildren(): void {
  for (const child of running) child.kill("SIGKILL");
}

function onTerminationSignal(signal: NodeJS.Signals): void {
  killRunningChildren();
  // Listening replaced the default "terminate"; restore it unless someone else handles the signal.
  if (process.listenerCount(signal) === 1) {
    process.off(signal, onTerminationSignal);
    process.kill(process.pid, signal);
  }
}

function track(child: ChildProcess): void {
  if (!hooksInstalled) {
    process.on("exit", killRunningChildren);
    for (const signal of terminationSignals) process.on(signal, onTerminationSignal);
    hooksInstalled = true;
  }
  running.add(child);
}

function watchExit(child: ChildProcess): Promise<ExitStatus> {
  return new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
    child.once("error", (error) => {
      running.delete(child);
      resolve({ code: null, signal: null, error });
    });
  });
}

/**
 * Starts nats-server with its stdout and stderr appended to `logPath`. Redirecting both streams (rather
 * than `-l`) also captures what the server prints before it has read its config, e.g. a parse error.
 */
export async function spawnServer(
  binary: string,
  configPath: string,
  logPath: string,
): Promise<ServerProcess> {
  const log = await open(logPath, "a");
  try {
    const child = spawn(binary, ["-c", configPath], { stdio: ["ignore", log.fd, log.fd] });
    track(child);
    return { child, exited: watchExit(child) };
  } finally {
    // The child holds its own copy of the descriptor.
    await log.close();
  }
}

export function hasExited(server: ServerProcess): boolean {
  return server.child.exitCode !== null || server.child.signalCode !== null;
}

/** Sends `signal` and waits for the exit; escalates to SIGKILL if the server ignores it. */
export async function endProcess(
  server: ServerProcess,
  signal: NodeJS.Signals,
  graceMs = 10_000,
): Promise<void> {
  if (hasExited(server)) return;
  server.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), graceMs);
  });
  const outcome = await Promise.race([server.exited, gaveUp]);
  clearTimeout(timer);
  if (outcome === "timeout") {
    server.child.kill("SIGKILL");
    await server.exited;
  }
}

export async function logTail(logPath: string, lines = 40): Promise<string> {
  try {
    const text = await readFile(logPath, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log written)";
  }
}

export function describeExit(status: ExitStatus): string {
  if (status.error !== undefined) return `could not be spawned: ${status.error.message}`;
  return status.signal === null ? `exited with code ${status.code}` : `was killed by ${status.signal}`;
}
