import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNatsServerBinary } from "./binary.ts";
import type { ServerConfig } from "./config.ts";
import { reserveServerPorts } from "./free-port.ts";
import { ManagedNatsServer } from "./managed-server.ts";
import { withFreshPorts } from "./port-taken.ts";
import { waitUntilMetaClusterWhole } from "./readiness.ts";
import type { NatsCluster, NatsServer, StartClusterOptions, StartNatsOptions } from "./types.ts";

type ConfigInDir = (dir: string) => ServerConfig;

async function createServer(binary: string, configIn: ConfigInDir): Promise<ManagedNatsServer> {
  const dir = await mkdtemp(join(tmpdir(), "tongbao-nats-"));
  return new ManagedNatsServer(binary, dir, configIn(dir));
}

/** Starts the servers together (cluster nodes need each other to elect a meta leader). */
async function startAll(servers: readonly ManagedNatsServer[]): Promise<void> {
  const results = await Promise.allSettled(servers.map((server) => server.start()));
  const failure = results.find((result) => result.status === "rejected");
  if (failure === undefined) return;
  await Promise.all(servers.map((server) => server[Symbol.asyncDispose]()));
  throw failure.reason;
}

const META_WHOLE_MS = 20_000;

export const startNats = (options: StartNatsOptions = {}): Promise<NatsServer> =>
  withFreshPorts(() => startNatsOnce(options));

async function startNatsOnce(options: StartNatsOptions): Promise<NatsServer> {
  const binary = await findNatsServerBinary();
  const [ports] = await reserveServerPorts(1);
  if (ports === undefined) throw new Error("no free ports reserved");
  const server = await createServer(binary, (dir) => ({
    name: options.name ?? `tongbao-nats-${ports.client}`,
    clientPort: ports.client,
    monitorPort: ports.monitor,
    storeDir: join(dir, "store"),
    jetstream: options.jetstream ?? true,
    domain: options.domain,
    extraConfig: options.extraConfig,
    syncInterval: options.syncInterval,
  }));
  await startAll([server]);
  return server;
}

export const startCluster = (options: StartClusterOptions = {}): Promise<NatsCluster> =>
  withFreshPorts(() => startClusterOnce(options));

async function startClusterOnce(options: StartClusterOptions): Promise<NatsCluster> {
  const clusterName = options.name ?? "tongbao-cluster";
  const nodePorts = await reserveServerPorts(options.size ?? 3);
  const routePorts = nodePorts.map((ports) => ports.cluster);
  const routePassword = `rt${randomBytes(12).toString("hex")}`;
  const binary = await findNatsServerBinary();
  const servers = await Promise.all(
    nodePorts.map((ports, node) =>
      createServer(binary, (dir) => ({
        name: `${clusterName}-${node + 1}`,
        clientPort: ports.client,
        monitorPort: ports.monitor,
        storeDir: join(dir, "store"),
        jetstream: true,
        cluster: { name: clusterName, port: ports.cluster, routePorts, routePassword },
        syncInterval: options.syncInterval,
      })),
    ),
  );
  await startAll(servers);
  if (
    !(await waitUntilMetaClusterWhole(
      nodePorts.map((ports) => ports.monitor),
      META_WHOLE_MS,
    ))
  ) {
    await Promise.all(servers.map((server) => server[Symbol.asyncDispose]()));
    throw new Error(
      `the cluster's meta leader did not hear every node as current within ${META_WHOLE_MS} ms`,
    );
  }
  return {
    servers,
    urls: servers.map((server) => server.url),
    stop: async () => {
      await Promise.all(servers.map((server) => server.stop()));
    },
    [Symbol.asyncDispose]: async () => {
      await Promise.all(servers.map((server) => server[Symbol.asyncDispose]()));
    },
  };
}
