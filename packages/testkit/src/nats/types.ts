import type { SyncInterval } from "@tongbao/metro";

export interface NatsServer extends AsyncDisposable {
  readonly name: string;
  /** "nats://127.0.0.1:<port>" */
  readonly url: string;
  readonly port: number;
  /** This server's own temporary JetStream store directory. */
  readonly storeDir: string;
  /** SIGTERM, then wait for the exit. The store is kept. */
  stop(): Promise<void>;
  /** SIGKILL (kill -9), then wait for the exit. The store is kept. */
  kill(): Promise<void>;
  /** Starts again on the same ports with the same store; resolves when ready. */
  restart(): Promise<void>;
}

export interface StartNatsOptions {
  name?: string;
  /** Default true. */
  jetstream?: boolean;
  /** JetStream domain, for leaf-node setups. */
  domain?: string;
  /** Appended verbatim to the generated config file (authorization, leafnodes, ...). */
  extraConfig?: string;
  /** JetStream's fsync policy: "always" (the default, as Tongbao runs) or an interval, e.g. "2m". */
  syncInterval?: SyncInterval;
}

export interface NatsCluster extends AsyncDisposable {
  readonly servers: readonly NatsServer[];
  /** Client URLs of all nodes. */
  readonly urls: string[];
  /** Stops every node; stores are kept. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  /** Default 3. */
  size?: number;
  name?: string;
  /** JetStream's fsync policy: "always" (the default) or an interval. */
  syncInterval?: SyncInterval;
}
