import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { renderConfig, type ServerConfig } from "./config.ts";
import { PortTakenError, portTakenIn } from "./port-taken.ts";
import { describeExit, endProcess, hasExited, logTail, type ServerProcess, spawnServer } from "./process.ts";
import { waitUntilReady } from "./readiness.ts";
import type { NatsServer } from "./types.ts";

const readyTimeoutMs = 20_000;

/** One nats-server living in its own temporary directory: config, log and JetStream store. */
export class ManagedNatsServer implements NatsServer {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly #binary: string;
  readonly #dir: string;
  readonly #config: ServerConfig;
  readonly #configPath: string;
  readonly #logPath: string;
  #process: ServerProcess | undefined;

  constructor(binary: string, dir: string, config: ServerConfig) {
    this.name = config.name;
    this.port = config.clientPort;
    this.url = `nats://127.0.0.1:${config.clientPort}`;
    this.storeDir = config.storeDir;
    this.#binary = binary;
    this.#dir = dir;
    this.#config = config;
    this.#configPath = join(dir, "nats-server.conf");
    this.#logPath = join(dir, "nats-server.log");
  }

  async start(): Promise<void> {
    if (this.#isRunning()) throw new Error(`nats-server ${this.name} is already running`);
    await writeFile(this.#configPath, renderConfig(this.#config));
    const started = await spawnServer(this.#binary, this.#configPath, this.#logPath);
    this.#process = started;
    const outcome = await waitUntilReady(
      {
        clientPort: this.#config.clientPort,
        monitorPort: this.#config.monitorPort,
        jetstream: this.#config.jetstream,
        clustered: this.#config.cluster !== undefined,
      },
      started.exited,
      readyTimeoutMs,
    );
    if (outcome === "ready") return;
    const why =
      outcome === "gone" ? describeExit(await started.exited) : `not ready after ${readyTimeoutMs} ms`;
    await endProcess(started, "SIGKILL");
    const log = await logTail(this.#logPath);
    const message = `nats-server ${this.name} ${why}; its log ends with:\n${log}`;
    throw portTakenIn(log) ? new PortTakenError(message) : new Error(message);
  }

  async stop(): Promise<void> {
    if (this.#process !== undefined) await endProcess(this.#process, "SIGTERM");
  }

  async kill(): Promise<void> {
    if (this.#process !== undefined) await endProcess(this.#process, "SIGKILL");
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
    await rm(this.#dir, { recursive: true, force: true });
  }

  #isRunning(): boolean {
    return this.#process !== undefined && !hasExited(this.#process);
  }
}
