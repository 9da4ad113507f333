import { createServer, type Socket, connect as tcpConnect } from "node:net";

/**
 * A TCP relay in front of one hub node's leaf port, shared by every city. The hub advertises it as its
 * leaf address, so a city that learns the hub's addresses still comes through here. It tells the
 * cities apart by the server name in the leaf's CONNECT line, and cuts one city's links on demand:
 * a network partition, with both servers still running.
 */
export interface LinkProxy {
  readonly port: number;
  /** Drops the city's connections and refuses new ones until healed. */
  cut(city: string): void;
  heal(city: string): void;
  close(): Promise<void>;
}

const nameIn = (connectLine: string): string | undefined => {
  try {
    const info = JSON.parse(connectLine.replace(/^CONNECT\s+/, "")) as { name?: unknown };
    return typeof info.name === "string" ? info.name : undefined;
  } catch {
    return undefined;
  }
};

export const startLinkProxy = async (targetPort: number): Promise<LinkProxy> => {
  const links = new Map<Socket, { city: string | undefined; upstream: Socket }>();
  const cut = new Set<string>();
  let closed = false;
  const server = createServer((client) => {
    if (closed) {
      client.destroy();
      return;
    }
    const upstream = tcpConnect({ host: "127.0.0.1", port: targetPort });
    const link = { city: undefined as string | undefined, upstream };
    links.set(client, link);
    const end = () => {
      links.delete(client);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on("error", end);
      socket.on("close", end);
    }
    upstream.pipe(client);
    // nats-server 2.12+ opens a leaf link with an INFO of its own (compression negotiation) before
    // its CONNECT; links here run uncompressed, so the CONNECT line can be read.
    let pending = Buffer.alloc(0);
    const forward = (chunk: Buffer) => {
      if (link.city !== undefined) {
        upstream.write(chunk);
        return;
      }
      pending = Buffer.concat([pending, chunk]);
      for (let lineEnd = pending.indexOf("\r\n"); lineEnd >= 0; lineEnd = pending.indexOf("\r\n")) {
        const line = pending.subarray(0, lineEnd + 2);
        pending = pending.subarray(lineEnd + 2);
        if (line.toString().startsWith("CONNECT ")) {
          link.city = nameIn(line.subarray(0, lineEnd).toString()) ?? "";
          if (cut.has(link.city)) return end();
          upstream.write(Buffer.concat([line, pending]));
          return;
        }
        upstream.write(line);
      }
    };
    client.on("data", forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("link proxy has no TCP port");
  const drop = (matches: (city: string | undefined) => boolean) => {
    for (const [client, link] of links) {
      if (!matches(link.city)) continue;
      client.destroy();
      link.upstream.destroy();
    }
  };
  return {
    port: address.port,
    cut: (city) => {
      cut.add(city);
      drop((linked) => linked === city);
    },
    heal: (city) => {
      cut.delete(city);
    },
    close: async () => {
      closed = true;
      drop(() => true);
      await new Promise((resolve) => server.close(resolve));
    },
  };
};
