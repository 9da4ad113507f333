import { createServer, type Server } from "node:net";

export interface ServerPorts {
  readonly client: number;
  readonly monitor: number;
  /** Route port; only a cluster node listens on it. */
  readonly cluster: number;
}

function listenOnAnyPort(): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

async function holdFreePort(held: Server[]): Promise<number> {
  const server = await listenOnAnyPort();
  held.push(server);
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("listener has no TCP port");
  return address.port;
}

/**
 * Finds free ports on 127.0.0.1 for `count` servers by listening on port 0. Every listener stays open
 * until all ports are known, so no port is handed out twice; they are closed before returning so that
 * nats-server can bind them.
 */
export async function reserveServerPorts(count: number): Promise<ServerPorts[]> {
  const held: Server[] = [];
  try {
    const reserved: ServerPorts[] = [];
    for (let i = 0; i < count; i++) {
      reserved.push({
        client: await holdFreePort(held),
        monitor: await holdFreePort(held),
        cluster: await holdFreePort(held),
      });
    }
    return reserved;
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** `count` distinct free TCP ports on 127.0.0.1, for services a test starts as processes. */
export async function freePorts(count: number): Promise<number[]> {
  const held: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) ports.push(await holdFreePort(held));
    return ports;
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
