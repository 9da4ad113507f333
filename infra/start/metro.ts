// Starts every Tongbao service of a metro as its own process: the gateway, the projector, the
// watchdog, the cities' relays, and (for demos and tests) a webhook sink standing in for the cities'
// systems. `pnpm start` uses it, and so do the end-to-end tests and the benchmarks.
import type { Metro } from "@tongbao/metro";
import { createSupervisor, type Supervisor, waitReady } from "./processes.ts";

export interface MetroServicesOptions {
  /** The repository root: where the services' scripts are. */
  readonly root: string;
  readonly metro: Metro;
  readonly metroFile: string;
  readonly natsUrl: string;
  /** Where each process writes its log, as <name>.log. */
  readonly logDir: string;
  readonly gatewayPort: number;
  /** The ops port (health, readiness, metrics) of each process: projector, watchdog, relays or relay-<city>. */
  readonly opsPortOf: (processName: string) => number;
  /**
   * One process `relays` for every city's relay (default: on one machine it saves a Node process,
   * its memory and its wake-ups per city), or a process `relay-<city>` each, as when every city
   * runs its own relay at home.
   */
  readonly relayProcesses?: "shared" | "per-city";
  /** Start the operators' console on this port, with the operators' token hashes in this file. */
  readonly console?: { readonly port: number; readonly operatorsFile: string };
  /** Start the demo webhook sink on this port; leave out when the cities' own systems listen. */
  readonly sinkPort?: number;
  /** Extra environment for every service (e.g. LOG_LEVEL). */
  readonly env?: Record<string, string>;
  readonly onUnexpectedExit?: (name: string, code: number | null) => void;
  /** How long each process may take to be ready (default 30 s; a busy machine starting many needs more). */
  readonly readyTimeoutMs?: number;
}

export interface MetroServices {
  readonly gatewayUrl: string;
  readonly sinkUrl?: string;
  readonly consoleUrl?: string;
  /** Each service's ops endpoint (/healthz, /readyz, /metrics) by process name. */
  readonly opsUrls: Readonly<Record<string, string>>;
  readonly supervisor: Supervisor;
  stop(): Promise<void>;
}

const localUrl = (port: number) => `http://127.0.0.1:${port}`;

export const startMetroServices = async (options: MetroServicesOptions): Promise<MetroServices> => {
  const supervisor = createSupervisor(
    options.root,
    options.logDir,
    options.onUnexpectedExit ?? ((name, code) => process.stderr.write(`${name} exited (code ${code})\n`)),
  );
  const common = { NATS_URL: options.natsUrl, METRO: options.metroFile, ...options.env };
  const opsUrls: Record<string, string> = {};
  const ready: Promise<void>[] = [];
  const start = (
    name: string,
    script: string,
    env: Record<string, string>,
    url: string,
    readyPath = "/readyz",
  ) => {
    supervisor.start(name, script, { ...common, ...env });
    opsUrls[name] = url;
    ready.push(waitReady(name, `${url}${readyPath}`, options.readyTimeoutMs));
  };
  try {
    if (options.sinkPort !== undefined) {
      start(
        "webhook-sink",
        "services/city-relay/src/sink/main.ts",
        { SINK_PORT: String(options.sinkPort) },
        localUrl(options.sinkPort),
        "/hooks",
      );
    }
    start(
      "gateway",
      "services/gateway/src/main.ts",
      { GATEWAY_PORT: String(options.gatewayPort) },
      localUrl(options.gatewayPort),
    );
    if (options.console !== undefined) {
      start(
        "console",
        "services/console/src/main.ts",
        {
          CONSOLE_PORT: String(options.console.port),
          CONSOLE_OPERATORS_FILE: options.console.operatorsFile,
        },
        localUrl(options.console.port),
      );
    }
    const withOps = (name: string, script: string, env: Record<string, string> = {}) => {
      const port = options.opsPortOf(name);
      start(name, script, { ...env, OPS_PORT: String(port) }, localUrl(port));
    };
    withOps("projector", "services/projector/src/main.ts");
    withOps("watchdog", "services/watchdog/src/main.ts");
    if (options.relayProcesses === "per-city") {
      for (const city of options.metro.cities) {
        withOps(`relay-${city.id}`, "services/city-relay/src/main.ts", { CITY: city.id });
      }
    } else {
      withOps("relays", "services/city-relay/src/main.ts", { CITIES: "all" });
    }
    await Promise.all(ready);
  } catch (error) {
    await supervisor.stopAll();
    throw error;
  }
  return {
    gatewayUrl: localUrl(options.gatewayPort),
    ...(options.sinkPort !== undefined && { sinkUrl: localUrl(options.sinkPort) }),
    ...(options.console !== undefined && { consoleUrl: localUrl(options.console.port) }),
    opsUrls,
    supervisor,
    stop: () => supervisor.stopAll(),
  };
};
