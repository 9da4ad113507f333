import { DEFAULT_SYNC_INTERVAL, type SyncInterval, syncIntervalSetting } from "@tongbao/metro";

export interface ClusterRoutes {
  readonly name: string;
  readonly port: number;
  /** Cluster ports of every node, this one included (nats-server ignores the route to itself). */
  readonly routePorts: readonly number[];
  /** Routes authenticate as in production (infra/nats/render.ts): this password, user "route". */
  readonly routePassword: string;
}

export interface ServerConfig {
  readonly name: string;
  readonly clientPort: number;
  readonly monitorPort: number;
  readonly storeDir: string;
  readonly jetstream: boolean;
  readonly domain?: string | undefined;
  readonly cluster?: ClusterRoutes | undefined;
  readonly extraConfig?: string | undefined;
  /** Default: Tongbao's, fsync before every acknowledgement. */
  readonly syncInterval?: SyncInterval | undefined;
}

// JSON string syntax is valid NATS config syntax and keeps paths with odd characters intact.
const quote = (value: string): string => JSON.stringify(value);

function jetstreamBlock(config: ServerConfig): string {
  const domain = config.domain === undefined ? "" : `, domain: ${quote(config.domain)}`;
  const sync = syncIntervalSetting(config.syncInterval ?? DEFAULT_SYNC_INTERVAL);
  return `jetstream { store_dir: ${quote(config.storeDir)}, max_memory_store: 256MB, max_file_store: 4GB, ${sync}${domain} }`;
}

function clusterBlock(cluster: ClusterRoutes): string {
  const login = `route:${cluster.routePassword}`;
  const routes = cluster.routePorts
    .map((port) => quote(`nats-route://${login}@127.0.0.1:${port}`))
    .join(", ");
  const auth = `authorization { user: "route", password: ${quote(cluster.routePassword)} }`;
  return `cluster { name: ${quote(cluster.name)}, listen: "127.0.0.1:${cluster.port}", ${auth}, routes: [${routes}] }`;
}

export function renderConfig(config: ServerConfig): string {
  const lines = [
    `server_name: ${quote(config.name)}`,
    `listen: "127.0.0.1:${config.clientPort}"`,
    `http: "127.0.0.1:${config.monitorPort}"`,
  ];
  if (config.jetstream) lines.push(jetstreamBlock(config));
  if (config.cluster !== undefined) lines.push(clusterBlock(config.cluster));
  if (config.extraConfig !== undefined) lines.push(config.extraConfig);
  return `${lines.join("\n")}\n`;
}
