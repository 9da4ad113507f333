// Acknowledged means on disk. The embedded server of `pnpm start` runs under strace while the bus
// publishes events one at a time: between sending each event and receiving its acknowledgement
// there must be an fsync of the EVENTS stream's message block. With a timer (the 2.9 behaviour,
// or a metro that chose an interval) there is none, so this test fails with the timer.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectBus } from "@tongbao/bus";
import type { SyncInterval } from "@tongbao/metro";
import { eventOf, findNatsServerBinary, freePorts, waitFor } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { embeddedConfig, portOpen } from "../../infra/start/nats.ts";

const PUBLISHES = 200;
const now = () => performance.timeOrigin + performance.now();

interface Fsync {
  readonly file: string;
  /** When the call returned, epoch milliseconds. */
  readonly doneAt: number;
}

// "1234 1764759000.123456 fsync(12</store/jetstream/$G/streams/EVENTS/msgs/1.blk>) = 0 <0.000071>",
// or, when another thread's call came in between, an "<unfinished ...>" line and a "resumed" one.
const WHOLE = /^(\d+)\s+(\d+\.\d+) f(?:data)?sync\(\d+<([^>]+)>\) = 0 <(\d+\.\d+)>$/;
const UNFINISHED = /^(\d+)\s+\d+\.\d+ f(?:data)?sync\(\d+<([^>]+)> <unfinished \.\.\.>$/;
const RESUMED = /^(\d+)\s+(\d+\.\d+) <\.\.\. f(?:data)?sync resumed>\s*\) = 0 <\d+\.\d+>$/;

const fsyncsIn = (trace: string): Fsync[] => {
  const pending = new Map<string, string>();
  return trace.split("\n").flatMap((raw) => {
    const line = raw.trim();
    const whole = WHOLE.exec(line);
    if (whole !== null) {
      const [, , at, file, took] = whole as unknown as string[];
      return [{ file: file as string, doneAt: (Number(at) + Number(took)) * 1000 }];
    }
    const unfinished = UNFINISHED.exec(line);
    if (unfinished !== null) pending.set(unfinished[1] as string, unfinished[2] as string);
    const resumed = RESUMED.exec(line);
    const file = resumed === null ? undefined : pending.get(resumed[1] as string);
    return file === undefined ? [] : [{ file, doneAt: Number(resumed?.[2]) * 1000 }];
  });
};

const stopped = (child: ChildProcess) => new Promise((resolve) => child.once("exit", resolve));

/** Publishes one event at a time to the embedded server's configuration, traced; the send and ack times. */
const publishTraced = async (sync: SyncInterval) => {
  const dir = await mkdtemp(join(tmpdir(), "tongbao-fsync-"));
  const [port] = (await freePorts(1)) as [number];
  const config = join(dir, "nats-server.conf");
  const pidFile = join(dir, "nats-server.pid");
  const traceFile = join(dir, "trace");
  await writeFile(config, embeddedConfig(sync));
  const server = [
    await findNatsServerBinary(),
    ...["-c", config, "-a", "127.0.0.1", "-p", String(port), "-sd", join(dir, "store"), "-P", pidFile],
  ];
  const strace = spawn(
    "strace",
    ["-f", "-ttt", "-T", "-y", "-e", "trace=fsync,fdatasync", "-o", traceFile, ...server],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  strace.stderr?.resume();
  try {
    await waitFor("the traced server", () => portOpen(port), 20_000);
    const bus = await connectBus({ servers: `nats://127.0.0.1:${port}`, name: "durability" });
    const windows: { sentAt: number; ackedAt: number }[] = [];
    try {
      for (let i = 0; i < PUBLISHES; i++) {
        const sentAt = now();
        await bus.publish(eventOf("pass.issued"));
        windows.push({ sentAt, ackedAt: now() });
      }
    } finally {
      await bus.close();
    }
    // strace ignores SIGINT; the server is stopped by its own pid, then strace ends with it.
    process.kill(Number((await readFile(pidFile, "utf8")).trim()), "SIGTERM");
    await stopped(strace);
    const events = fsyncsIn(await readFile(traceFile, "utf8")).filter((f) =>
      f.file.includes("/streams/EVENTS/msgs/"),
    );
    return windows.map(({ sentAt, ackedAt }) =>
      events.some((f) => f.doneAt >= sentAt && f.doneAt <= ackedAt + 1),
    );
  } finally {
    if (strace.exitCode === null) strace.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
};

describe("durability: an acknowledged event is on disk", () => {
  it("the embedded server fsyncs the EVENTS stream before acknowledging each event; a timer does not", async () => {
    const always = await publishTraced("always");
    const timer = await publishTraced("2m");
    const synced = (windows: boolean[]) => windows.filter(Boolean).length;
    console.log(
      `[durability] ${PUBLISHES} awaited publishes, fsync of EVENTS before the ack: sync_interval always ${synced(always)}, 2m timer ${synced(timer)}`,
    );
    expect(synced(always)).toBe(PUBLISHES);
    expect(synced(timer)).toBeLessThan(PUBLISHES / 20);
  });
});
