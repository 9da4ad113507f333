import { readdir, readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { type JetStreamClient, jetstream, jetstreamManager, type PubAck } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { startCluster, startNats } from "../src/nats/index.ts";

/** Pids of live processes whose command line mentions `dir` (the server's config lives there). */
async function processesUsing(dir: string): Promise<string[]> {
  const pids = (await readdir("/proc")).filter((entry) => /^\d+$/.test(entry));
  const found: string[] = [];
  for (const pid of pids) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(dir)) found.push(pid);
  }
  return found;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

// A publish can fail for several seconds while the stream elects a new leader.
async function publishWithin(
  js: JetStreamClient,
  subject: string,
  msgID: string,
  ms: number,
): Promise<PubAck> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await js.publish(subject, msgID, { msgID, timeout: 2_000 });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

describe("startNats", () => {
  it("serves JetStream and keeps a stream's messages across kill -9 and restart", async () => {
    await using nats = await startNats({ name: "single" });
    expect(nats.url).toBe(`nats://127.0.0.1:${nats.port}`);
    {
      await using nc = await connect({ servers: nats.url });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.add({ name: "ORDERS", subjects: ["orders.>"] });
      const ack = await jetstream(nc).publish("orders.placed", "first order");
      expect(ack.seq).toBe(1);
    }

    await nats.kill();
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow();
    await nats.restart();

    await using nc = await connect({ servers: nats.url });
    const stored = await (await jetstreamManager(nc)).streams.getMessage("ORDERS", { seq: 1 });
    expect(stored?.string()).toBe("first order");
  });

  it("on dispose ends the process and deletes its store", async () => {
    const nats = await startNats();
    const dir = dirname(nats.storeDir);
    expect(await exists(nats.storeDir)).toBe(true);
    expect(await processesUsing(dir)).toHaveLength(1);

    await nats[Symbol.asyncDispose]();

    expect(await processesUsing(dir)).toEqual([]);
    expect(await exists(dir)).toBe(false);
    await expect(connect({ servers: nats.url, reconnect: false })).rejects.toThrow();
  });

  it("rejects at once with the server's own complaint when the config is invalid", async () => {
    const started = Date.now();
    await expect(startNats({ extraConfig: "authorization { users: [ { user: x } }" })).rejects.toThrow(
      /exited with code 1; its log ends with:\n.*Parse error/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("says how to get a current server when the binary is missing", async () => {
    const previous = process.env.NATS_SERVER_BIN;
    process.env.NATS_SERVER_BIN = "/nonexistent/nats-server";
    try {
      await expect(startNats()).rejects.toThrow(
        /NATS_SERVER_BIN=\/nonexistent\/nats-server is not an executable file; `source .ci\/tools.sh`/,
      );
    } finally {
      if (previous === undefined) delete process.env.NATS_SERVER_BIN;
      else process.env.NATS_SERVER_BIN = previous;
    }
  });
});

describe("startCluster", () => {
  it("takes an R3 stream at once and keeps publishing when its leader is killed", async () => {
    await using cluster = await startCluster();
    expect(cluster.servers).toHaveLength(3);
    await using nc = await connect({ servers: cluster.urls });
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    const js = jetstream(nc);

    const info = await jsm.streams.add({ name: "CASES", subjects: ["cases.>"], num_replicas: 3 });
    expect(info.config.num_replicas).toBe(3);
    expect(info.cluster?.replicas).toHaveLength(2);
    await publishWithin(js, "cases.reported", "case-1", 10_000);

    const leader = cluster.servers.find((server) => server.name === info.cluster?.leader);
    if (leader === undefined) throw new Error(`no server named ${info.cluster?.leader}`);
    await leader.kill();
    await publishWithin(js, "cases.reported", "case-2", 15_000);

    await leader.restart();
    const ack = await publishWithin(js, "cases.reported", "case-3", 10_000);
    expect(ack.seq).toBe(3);
  });
});
