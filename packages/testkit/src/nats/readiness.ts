import { connect } from "node:net";

const pollIntervalMs = 100;
const probeTimeoutMs = 1_000;

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(probeTimeoutMs);
    const settle = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.once("connect", () => settle(true));
    socket.once("error", () => settle(false));
    socket.once("timeout", () => settle(false));
  });
}

async function monitorJson(monitorPort: number, path: string): Promise<unknown> {
  try {
    const response = await fetch(`http://127.0.0.1:${monitorPort}${path}`, {
      signal: AbortSignal.timeout(probeTimeoutMs),
    });
    return response.ok ? await response.json() : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

async function healthy(monitorPort: number, jetstream: boolean): Promise<boolean> {
  // Plain /healthz on a cluster node answers 503 until the node has reached a meta leader (and, later
  // versions, until its streams are current); js-enabled-only keeps this probe to "JetStream is on"
  // and the meta leader is awaited explicitly below.
  const body = await monitorJson(monitorPort, jetstream ? "/healthz?js-enabled-only=true" : "/healthz");
  return isRecord(body) && body.status === "ok";
}

async function knowsMetaLeader(monitorPort: number): Promise<boolean> {
  const body = await monitorJson(monitorPort, "/jsz");
  if (!isRecord(body) || !isRecord(body.meta_cluster)) return false;
  const leader = body.meta_cluster.leader;
  return typeof leader === "string" && leader !== "";
}

/** The meta leader hears every other node as current: a clustered stream can be placed on any of them. */
async function metaClusterWhole(monitorPorts: readonly number[]): Promise<boolean> {
  for (const port of monitorPorts) {
    const body = await monitorJson(port, "/jsz");
    const meta = isRecord(body) && isRecord(body.meta_cluster) ? body.meta_cluster : {};
    const replicas = Array.isArray(meta.replicas) ? meta.replicas.filter(isRecord) : [];
    // Only the leader lists no replica by the leader's name.
    const isLeader = typeof meta.leader === "string" && replicas.every((r) => r.name !== meta.leader);
    if (!isLeader) continue;
    return (
      replicas.length === monitorPorts.length - 1 &&
      replicas.every((r) => r.current === true && r.offline !== true)
    );
  }
  return false;
}

export interface ReadinessTarget {
  readonly clientPort: number;
  readonly monitorPort: number;
  readonly jetstream: boolean;
  /** Also wait for a JetStream meta leader, without which R3 streams cannot be created. */
  readonly clustered: boolean;
}

/** One probe of everything "ready" means; each step only runs once the previous one passed. */
export async function isReady(target: ReadinessTarget): Promise<boolean> {
  if (!(await tcpAccepts(target.clientPort))) return false;
  if (!(await healthy(target.monitorPort, target.jetstream))) return false;
  if (target.clustered && target.jetstream) return knowsMetaLeader(target.monitorPort);
  return true;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls until ready. Resolves "ready", or "gone" when `gone` settles first (the process died), or
 * "timeout" at the deadline; the caller words the error because it holds the log.
 */
export async function waitUntilReady(
  target: ReadinessTarget,
  gone: Promise<unknown>,
  timeoutMs: number,
): Promise<"ready" | "gone" | "timeout"> {
  let exited = false;
  void gone.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited) return "gone";
    if (await isReady(target)) return exited ? "gone" : "ready";
    await sleep(pollIntervalMs);
  }
  return exited ? "gone" : "timeout";
}

/** Polls until the cluster's meta leader hears every node as current; false at the deadline. */
export async function waitUntilMetaClusterWhole(monitorPorts: readonly number[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await metaClusterWhole(monitorPorts)) return true;
    await sleep(pollIntervalMs);
  }
  return false;
}
