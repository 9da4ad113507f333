// The embedded nats-server of `pnpm start`: data under .tongbao/nats, log in .tongbao/nats-server.log.
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { lossWindowOf, type SyncInterval, syncIntervalSetting } from "@tongbao/metro";
import { findNatsServerBinary } from "@tongbao/testkit";

/**
 * The embedded server's configuration: loopback only, JetStream with the metro's durability
 * (fsync before every acknowledgement unless the metro chose an interval). Port and store directory
 * come on the command line, so the embedded server never collides with another on the standard port.
 */
export const embeddedConfig = (sync: SyncInterval) =>
  [
    "# Written by `pnpm start` (infra/start/nats.ts) from the metro definition: do not edit.",
    `# Durability: ${lossWindowOf(sync)}.`,
    "server_name: tongbao-local",
    "jetstream {",
    "  max_memory_store: 256MB",
    "  max_file_store: 10GB",
    `  ${syncIntervalSetting(sync)}`,
    "}",
    "max_payload: 1MB",
    "",
  ].join("\n");

export const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface EmbeddedNats {
  readonly url: string;
  stop(): Promise<void>;
}

export const startEmbeddedNats = async (
  root: string,
  port: number,
  sync: SyncInterval,
): Promise<EmbeddedNats> => {
  // Missing or older than Tongbao needs: the error says which was found and how to get a newer one.
  const binary = await findNatsServerBinary();
  const pidFile = join(root, ".tongbao", "nats-server.pid");
  if (await portOpen(port)) {
    // An embedded server left behind by a start that was killed -9: stop it, it holds our store.
    try {
      process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGTERM");
      for (let tries = 0; (await portOpen(port)) && tries < 100; tries++) await sleep(100);
    } catch {}
    if (await portOpen(port))
      throw new Error(`port ${port} is taken: set TONGBAO_NATS_PORT, or NATS_URL to use that server`);
  }
  const store = join(root, ".tongbao", "nats");
  mkdirSync(store, { recursive: true });
  const log = join(root, ".tongbao", "nats-server.log");
  const config = join(root, ".tongbao", "nats-server.conf");
  writeFileSync(config, embeddedConfig(sync));
  const args = ["-c", config, "-a", "127.0.0.1", "-p", String(port), "-sd", store, "-l", log, "-P", pidFile];
  // Its own process group: a Ctrl-C in the terminal reaches the services and us, and we stop the
  // server last, once the services have finished their in-flight work.
  const server = spawn(binary, args, { stdio: "ignore", detached: true });
  // The embedded server lives and dies with this process, whatever way it ends.
  process.once("exit", () => server.kill("SIGTERM"));
  let stopping = false;
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  server.once("exit", (code) => {
    if (stopping) return;
    process.stderr.write(`nats-server exited unexpectedly (code ${code}); see .tongbao/nats-server.log\n`);
    process.exit(1);
  });
  for (let tries = 0; !(await portOpen(port)); tries++) {
    if (tries > 100) throw new Error("nats-server did not start within 10 s; see .tongbao/nats-server.log");
    await sleep(100);
  }
  return {
    url: `nats://127.0.0.1:${port}`,
    stop: async () => {
      stopping = true;
      server.kill("SIGTERM");
      await exited;
    },
  };
};
