import { randomBytes } from "node:crypto";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findNatsServerBinary } from "./binary.ts";
import { freePorts, reserveServerPorts } from "./free-port.ts";
import { type LinkProxy, startLinkProxy } from "./link-proxy.ts";
import { ManagedNatsServer } from "./managed-server.ts";
import { withFreshPorts } from "./port-taken.ts";
import type { NatsCluster, NatsServer } from "./types.ts";

export interface LeafCityServer extends NatsServer {
  readonly city: string;
  /** The city's JetStream domain: its id. */
  readonly domain: string;
  /** Cuts the network between the city and the hub (the city server keeps running). */
  cutLink(): void;
  healLink(): void;
  /** True while the city's leaf connection to the hub is up. */
  isLinked(): Promise<boolean>;
  waitLinked(timeoutMs?: number): Promise<void>;
}

export interface LeafMetro extends AsyncDisposable {
  /** The hub: one node, or a cluster; JetStream domain "hub". */
  readonly hub: NatsCluster;
  readonly cities: Readonly<Record<string, LeafCityServer>>;
}

export interface StartLeafMetroOptions {
  readonly cities: readonly string[];
  /** Hub nodes (default 1; 3 for a hub cluster). */
  readonly hubSize?: number;
  /** Subject spaces the leaf link carries in neither direction (deny_exports and deny_imports). */
  readonly linkDeny: readonly string[];
  /** Extra config for each hub node (authorization …), and inside its `leafnodes {}` block. */
  readonly hubConfig?: string;
  readonly hubLeafConfig?: string;
  /** Extra config for a city's server (its users and permissions). */
  readonly cityConfig?: (city: string) => string;
  /** The user a city's leaf link logs in to the hub with. */
  readonly linkCredentials?: (city: string) => { readonly user: string; readonly password: string };
}

const quote = (value: string) => JSON.stringify(value);

const monitorJson = async (port: number, path: string): Promise<Record<string, unknown> | undefined> => {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(1_000) });
    return response.ok ? ((await response.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A hub (one node or a cluster) and one leaf node per city, each city its own JetStream domain, every
 * server on free loopback ports with its own store. Each city reaches the hub through a TCP relay,
 * so a test can cut one city's link while both sides keep running.
 */
export const startLeafMetro = (options: StartLeafMetroOptions): Promise<LeafMetro> =>
  withFreshPorts(() => startLeafMetroOnce(options));

async function startLeafMetroOnce(options: StartLeafMetroOptions): Promise<LeafMetro> {
  const binary = await findNatsServerBinary();
  const hubSize = options.hubSize ?? 1;
  const hubPorts = await reserveServerPorts(hubSize);
  const leafPorts = await freePorts(hubSize);
  const routePorts = hubPorts.map((p) => p.cluster);
  const routePassword = `rt${randomBytes(12).toString("hex")}`;
  const proxies: LinkProxy[] = await Promise.all(leafPorts.map((port) => startLinkProxy(port as number)));
  const hubServers = await Promise.all(
    hubPorts.map(async (ports, node) => {
      const dir = await mkdtemp(join(tmpdir(), "tongbao-hub-"));
      // The hub tells leaves its addresses: it must name the relay, or a cut link would heal itself.
      const leafnodes = `leafnodes { listen: "127.0.0.1:${leafPorts[node]}", advertise: "127.0.0.1:${proxies[node]?.port}"\n${options.hubLeafConfig ?? ""} }`;
      return new ManagedNatsServer(binary, dir, {
        name: `hub-${node + 1}`,
        clientPort: ports.client,
        monitorPort: ports.monitor,
        storeDir: join(dir, "store"),
        jetstream: true,
        domain: "hub",
        cluster: hubSize > 1 ? { name: "hub", port: ports.cluster, routePorts, routePassword } : undefined,
        extraConfig: `${leafnodes}\n${options.hubConfig ?? ""}`,
      });
    }),
  );
  const cityServers: Record<string, LeafCityServer> = {};
  const started: ManagedNatsServer[] = [...hubServers];
  try {
    // Every hub node settles before a failure is thrown, so that none is left starting.
    const hubStarts = await Promise.allSettled(hubServers.map((server) => server.start()));
    const hubFailure = hubStarts.find((result) => result.status === "rejected");
    if (hubFailure !== undefined) throw hubFailure.reason;
    const cityPorts = await reserveServerPorts(options.cities.length);
    for (const [i, city] of options.cities.entries()) {
      const ports = cityPorts[i];
      if (ports === undefined) throw new Error("no free ports reserved");
      const login = options.linkCredentials?.(city);
      const auth =
        login === undefined ? "" : `${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@`;
      const urls = proxies.map((link) => quote(`nats-leaf://${auth}127.0.0.1:${link.port}`)).join(", ");
      const deny = options.linkDeny.map(quote).join(", ");
      const dir = await mkdtemp(join(tmpdir(), `tongbao-${city}-`));
      const server = new ManagedNatsServer(binary, dir, {
        name: city,
        clientPort: ports.client,
        monitorPort: ports.monitor,
        storeDir: join(dir, "store"),
        jetstream: true,
        domain: city,
        extraConfig: [
          `leafnodes { reconnect_delay: "1s", remotes: [ { urls: [${urls}], compression: off, deny_exports: [${deny}], deny_imports: [${deny}] } ] }`,
          options.cityConfig?.(city) ?? "",
        ].join("\n"),
      });
      started.push(server);
      await server.start();
      const isLinked = async () => {
        const leafz = await monitorJson(ports.monitor, "/leafz");
        return typeof leafz?.leafnodes === "number" && leafz.leafnodes > 0;
      };
      const waitLinked = async (timeoutMs = 20_000) => {
        const deadline = Date.now() + timeoutMs;
        while (!(await isLinked())) {
          if (Date.now() > deadline)
            throw new Error(`${city}'s leaf link to the hub is not up after ${timeoutMs} ms`);
          await sleep(50);
        }
      };
      cityServers[city] = Object.assign(server, {
        city,
        domain: city,
        cutLink: () => {
          for (const link of proxies) link.cut(city);
        },
        healLink: () => {
          for (const link of proxies) link.heal(city);
        },
        isLinked,
        waitLinked,
      });
    }
    await Promise.all(Object.values(cityServers).map((city) => city.waitLinked()));
  } catch (error) {
    await Promise.all(started.map((server) => server[Symbol.asyncDispose]()));
    await Promise.all(proxies.map((proxy) => proxy.close()));
    throw error;
  }
  const hub: NatsCluster = {
    servers: hubServers,
    urls: hubServers.map((server) => server.url),
    stop: async () => {
      await Promise.all(hubServers.map((server) => server.stop()));
    },
    [Symbol.asyncDispose]: async () => {
      await Promise.all(hubServers.map((server) => server[Symbol.asyncDispose]()));
    },
  };
  return {
    hub,
    cities: cityServers,
    [Symbol.asyncDispose]: async () => {
      await Promise.all(Object.values(cityServers).map((city) => city[Symbol.asyncDispose]()));
      await hub[Symbol.asyncDispose]();
      await Promise.all(proxies.map((proxy) => proxy.close()));
    },
  };
}
