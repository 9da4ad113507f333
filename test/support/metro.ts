// A whole metro for end-to-end tests and benchmarks: a real nats-server, every service as its own
// process (as `pnpm start` runs them), and an in-process webhook sink the test can take down.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Bus, connectBus } from "@tongbao/bus";
import { startWebhookSink, type WebhookSink } from "@tongbao/city-relay";
import { loadMetro, type Metro, readSecret } from "@tongbao/metro";
import { freePorts, type NatsServer, startNats } from "@tongbao/testkit";
import { ensureDemoSecrets } from "../../infra/start/demo-secrets.ts";
import { type MetroServices, startMetroServices } from "../../infra/start/metro.ts";

export const root = join(import.meta.dirname, "..", "..");

export interface RunningMetro extends AsyncDisposable {
  readonly metro: Metro;
  readonly nats: NatsServer;
  readonly bus: Bus;
  readonly sink: WebhookSink;
  readonly services: MetroServices;
  readonly tokens: Readonly<Record<string, string>>;
  readonly dir: string;
  /** fetch against the gateway as a city. */
  api(city: string | undefined, path: string, init?: RequestInit): Promise<Response>;
}

export interface MetroShape {
  /** Seconds within which every city must acknowledge a broadcast (the watchdog's deadline). */
  readonly acknowledgeWithinSeconds?: number;
  /** A metro of generated cities instead of the Yangtze River Delta demo (for benchmarks). */
  readonly generatedCities?: number;
  /** Districts of each generated city (default 1: `<city>-centre`; then `<city>-d1` …). */
  readonly districtsPerCity?: number;
  /** Every webhook city takes notices in batches (the metro definition's `delivery.batch`). */
  readonly batch?: { readonly maxNotices: number; readonly maxWaitMs: number };
  readonly env?: Record<string, string>;
}

const generatedMetro = (count: number, districts = 1): Metro =>
  ({
    id: "bench",
    name: "bench metro",
    timeZone: "Asia/Shanghai",
    acknowledgeWithinSeconds: 60,
    cities: Array.from({ length: count }, (_, i) => ({
      id: `city${String(i + 1).padStart(2, "0")}`,
      name: `City ${i + 1}`,
      districts: [
        { id: `city${String(i + 1).padStart(2, "0")}-centre`, name: "Centre" },
        ...Array.from({ length: districts - 1 }, (_, d) => ({
          id: `city${String(i + 1).padStart(2, "0")}-d${d + 1}`,
          name: `District ${d + 1}`,
        })),
      ],
      delivery: { kind: "webhook", urls: ["http://placeholder/"], secret: { file: "x" }, timeoutMs: 5000 },
      gatewayTokenSha256: { file: "x" },
    })),
  }) as Metro;

/** The demo metro (or a generated one) with webhooks pointing at the sink and secrets in `dir`. */
const metroFor = async (dir: string, sinkPort: number, shape: MetroShape): Promise<Metro> => {
  const base =
    shape.generatedCities === undefined
      ? await loadMetro(join(root, "infra/metros/yrd.json"))
      : generatedMetro(shape.generatedCities, shape.districtsPerCity);
  return {
    ...base,
    acknowledgeWithinSeconds: shape.acknowledgeWithinSeconds ?? base.acknowledgeWithinSeconds,
    cities: base.cities.map((city) => ({
      ...city,
      gatewayTokenSha256: { file: join(dir, "secrets", `${city.id}.token.sha256`) },
      delivery:
        city.delivery.kind === "webhook"
          ? {
              ...city.delivery,
              urls: [`http://127.0.0.1:${sinkPort}/hooks/${city.id}`],
              secret: { file: join(dir, "secrets", `${city.id}.webhook-secret`) },
              ...(shape.batch === undefined ? {} : { batch: shape.batch }),
            }
          : city.delivery,
    })),
  };
};

export interface MetroFiles {
  readonly metro: Metro;
  readonly metroFile: string;
  readonly tokens: Readonly<Record<string, string>>;
  /** Each webhook city's signing secret. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly sinkPort: number;
  readonly gatewayPort: number;
  readonly opsPortOf: (name: string) => number;
}

/** A metro definition in `dir`, its secrets, and free ports for everything. */
export const writeMetro = async (dir: string, shape: MetroShape): Promise<MetroFiles> => {
  const [sinkPort, gatewayPort, ...opsPorts] = (await freePorts(64)) as [number, number, ...number[]];
  const metro = await metroFor(dir, sinkPort, shape);
  const metroFile = join(dir, "metro.json");
  await writeFile(metroFile, JSON.stringify(metro, null, 2));
  const tokens = ensureDemoSecrets(metro, dir);
  const secrets: Record<string, string> = {};
  for (const city of metro.cities) {
    if (city.delivery.kind === "webhook") secrets[city.id] = await readSecret(city.delivery.secret);
  }
  const names = ["projector", "watchdog", "relays", ...metro.cities.map((c) => `relay-${c.id}`)];
  const opsPortOf = (name: string) => opsPorts[names.indexOf(name)] as number;
  return { metro, metroFile, tokens, secrets, sinkPort, gatewayPort, opsPortOf };
};

/** Options for startMetroServices from a written metro, with the demo sink as its own process. */
export const servicesOf = (files: MetroFiles, natsUrl: string, dir: string) => ({
  root,
  metro: files.metro,
  metroFile: files.metroFile,
  natsUrl,
  logDir: join(dir, "logs"),
  gatewayPort: files.gatewayPort,
  sinkPort: files.sinkPort,
  opsPortOf: files.opsPortOf,
});

export const startMetro = async (shape: MetroShape = {}): Promise<RunningMetro> => {
  const dir = await mkdtemp(join(tmpdir(), "tongbao-metro-"));
  const nats = await startNats();
  const { metro, metroFile, tokens, secrets, sinkPort, gatewayPort, opsPortOf } = await writeMetro(
    dir,
    shape,
  );
  const sink = await startWebhookSink({ port: sinkPort, secrets });
  const services = await startMetroServices({
    root,
    metro,
    metroFile,
    natsUrl: nats.url,
    logDir: join(dir, "logs"),
    gatewayPort,
    opsPortOf,
    env: { LOG_LEVEL: "info", TRACE_HISTORY_GRACE_SECONDS: "1", ...shape.env },
  });
  const bus = await connectBus({ servers: nats.url, name: "e2e-test" });
  return {
    metro,
    nats,
    bus,
    sink,
    services,
    tokens,
    dir,
    api: (city, path, init = {}) =>
      fetch(`${services.gatewayUrl}${path}`, {
        ...init,
        headers: {
          ...(city === undefined ? {} : { authorization: `Bearer ${tokens[city]}` }),
          ...(init.headers as Record<string, string> | undefined),
        },
      }),
    [Symbol.asyncDispose]: async () => {
      await services.stop();
      await bus.close();
      await sink.close();
      await nats[Symbol.asyncDispose]();
      await rm(dir, { recursive: true, force: true });
    },
  };
};

/** Every log line the services wrote (for privacy checks). */
export const logsOf = async (running: RunningMetro): Promise<string> => {
  const chunks = await Promise.all(
    Object.keys(running.services.opsUrls).map((name) =>
      readFile(join(running.dir, "logs", `${name}.log`), "utf8").catch(() => ""),
    ),
  );
  return chunks.join("");
};

export { waitFor } from "@tongbao/testkit";
