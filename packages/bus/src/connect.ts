import { readFile } from "node:fs/promises";
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import {
  connect,
  credsAuthenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import { requireSupportedServer } from "./server-version.ts";
import type { BusMode } from "./topology/mode.ts";
import { type StreamNames, streamNamesOf } from "./topology/names.ts";
import { type AtTurnEnd, createTurnQueue } from "./turn.ts";

export type Credentials =
  | { readonly kind: "none" }
  | { readonly kind: "user"; readonly user: string; readonly password: string }
  | { readonly kind: "token"; readonly token: string }
  | { readonly kind: "creds"; readonly file: string };

export interface ConnectOptions {
  /** One or more server URLs, e.g. nats://127.0.0.1:4222. */
  readonly servers: string | readonly string[];
  /** Shows in the server's connection list: say which service and city this is. */
  readonly name: string;
  readonly credentials?: Credentials;
  /** How long a JetStream API call may take; cluster elections need more than the default. */
  readonly apiTimeoutMs?: number;
  /** Single server or cluster (default), a city's leaf node, or the hub: same code, other streams. */
  readonly mode?: BusMode;
}

/** The live connection and its JetStream handles, shared by every part of the bus. */
export interface Connection {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly mode: BusMode;
  /** The streams this connection reads and writes in its mode. */
  readonly streams: StreamNames;
  /** How long a JetStream request may take before it counts as timed out. */
  readonly apiTimeoutMs: number;
  /** False from a disconnect until the client has reconnected (health checks ask this). */
  isConnected(): boolean;
  /** Publishes and acks started here leave in one socket write per event-loop turn (turn.ts). */
  readonly atTurnEnd: AtTurnEnd;
}

const authOptions = async (credentials: Credentials | undefined): Promise<Partial<NodeConnectionOptions>> => {
  switch (credentials?.kind ?? "none") {
    case "none":
      return {};
    case "user": {
      const { user, password } = credentials as Extract<Credentials, { kind: "user" }>;
      return { user, pass: password };
    }
    case "token":
      return { token: (credentials as Extract<Credentials, { kind: "token" }>).token };
    case "creds": {
      const file = (credentials as Extract<Credentials, { kind: "creds" }>).file;
      return { authenticator: credsAuthenticator(await readFile(file)) };
    }
  }
};

/** Connects for good: a bus that lost its server keeps trying to reconnect, forever. */
export const openConnection = async (options: ConnectOptions): Promise<Connection> => {
  const timeout = options.apiTimeoutMs ?? 10_000;
  const nc = await connect({
    servers: typeof options.servers === "string" ? options.servers : [...options.servers],
    name: options.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
    // The client would build two Error objects per request to keep async stack traces: a fifth of
    // its CPU per publish. Tongbao wraps every error it passes on with what it was doing anyway.
    noAsyncTraces: true,
    ...(await authOptions(options.credentials)),
  });
  try {
    requireSupportedServer(nc.info?.version, `at ${nc.getServer()}`);
  } catch (error) {
    await nc.close();
    throw error;
  }
  let connected = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect") connected = false;
      if (status.type === "reconnect") connected = true;
    }
  })();
  const jsm = await jetstreamManager(nc, { timeout, checkAPI: false });
  const mode = options.mode ?? { kind: "single" };
  return {
    nc,
    js: jetstream(nc, { timeout }),
    jsm,
    mode,
    streams: streamNamesOf(mode),
    apiTimeoutMs: timeout,
    isConnected: () => connected && !nc.isClosed(),
    atTurnEnd: createTurnQueue(),
  };
};
