// `pnpm start`: runs Tongbao locally. Starts an embedded nats-server (data under .tongbao/), sets up
// the streams, and keeps running until Ctrl-C. With NATS_URL set it uses that server instead.
import { spawn } from "node:child_process";
import { accessSync, constants, mkdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { connectBus } from "@tongbao/bus";

const root = join(import.meta.dirname, "..");
const PORT = Number(process.env.TONGBAO_NATS_PORT ?? 14222);
const say = (line: string) => process.stdout.write(`${line}\n`);

const natsBinary = () => {
  const candidates = [process.env.NATS_SERVER_BIN, "/usr/sbin/nats-server", "/usr/bin/nats-server"];
  for (const dir of (process.env.PATH ?? "").split(":")) candidates.push(join(dir, "nats-server"));
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  throw new Error(
    "nats-server is not installed: on Debian, `sudo apt-get install -y nats-server` (or set NATS_URL)",
  );
};

const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const pidFile = join(root, ".tongbao", "nats-server.pid");

// An embedded server left behind by a start that was killed -9: stop it, it holds our store.
const stopLeftover = async () => {
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  process.kill(pid, "SIGTERM");
  for (let tries = 0; (await portOpen(PORT)) && tries < 100; tries++) await sleep(100);
};

const startEmbedded = async () => {
  if (await portOpen(PORT)) {
    await stopLeftover().catch(() => undefined);
    if (await portOpen(PORT))
      throw new Error(`port ${PORT} is taken: set TONGBAO_NATS_PORT, or NATS_URL to use that server`);
  }
  const store = join(root, ".tongbao", "nats");
  mkdirSync(store, { recursive: true });
  const log = join(root, ".tongbao", "nats-server.log");
  const config = join(root, "infra/nats/single.conf");
  const args = ["-c", config, "-a", "127.0.0.1", "-p", String(PORT), "-sd", store, "-l", log, "-P", pidFile];
  const server = spawn(natsBinary(), args, { stdio: "ignore" });
  // The embedded server lives and dies with this process, whatever way it ends.
  process.once("exit", () => server.kill("SIGTERM"));
  let stopping = false;
  server.once("exit", (code) => {
    if (stopping) return;
    process.stderr.write(`nats-server exited unexpectedly (code ${code}); see .tongbao/nats-server.log\n`);
    process.exit(1);
  });
  for (let tries = 0; !(await portOpen(PORT)); tries++) {
    if (tries > 100) throw new Error("nats-server did not start within 10 s; see .tongbao/nats-server.log");
    await sleep(100);
  }
  return {
    url: `nats://127.0.0.1:${PORT}`,
    stop: () => {
      stopping = true;
      server.kill("SIGTERM");
    },
  };
};

const embedded = process.env.NATS_URL ? undefined : await startEmbedded();
const url = process.env.NATS_URL ?? (embedded?.url as string);
const bus = await connectBus({ servers: url, name: "tongbao-start" });
say(
  `Tongbao is up: NATS at ${url}${embedded ? " (embedded; data in .tongbao/nats, log in .tongbao/nats-server.log)" : ""}; streams ready.`,
);
say("Publish with the SDK (@tongbao/bus) against that URL. Ctrl-C stops.");

const stop = async () => {
  await bus.close();
  embedded?.stop();
  process.exit(0);
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
