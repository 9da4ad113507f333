// One city's relay: `CITY=hangzhou node services/city-relay/src/main.ts` (from the repository root).
import { type Credentials, connectBus } from "@tongbao/bus";
import { cityId } from "@tongbao/events";
import { cityOf, loadMetro, readSecret } from "@tongbao/metro";
import { createLogger, parseConfig, runService, startOpsServer } from "@tongbao/service-kit";
import { Registry } from "prom-client";
import { z } from "zod";
import { createCityRelay } from "./relay.ts";

const Config = z.object({
  CITY: cityId,
  NATS_URL: z.string().min(1).default("nats://127.0.0.1:14222"),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_TOKEN: z.string().min(1).optional(),
  NATS_CREDS: z.string().min(1).optional(),
  METRO: z.string().min(1).default("infra/metros/yrd.json"),
  OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  OPS_HOST: z.string().min(1).default("127.0.0.1"),
  RELAY_CONCURRENCY: z.coerce.number().int().positive().default(16),
  RELAY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  RELAY_FROM: z.enum(["beginning", "now"]).default("beginning"),
});
type Config = z.infer<typeof Config>;

const credentialsOf = (config: Config): Credentials => {
  if (config.NATS_CREDS) return { kind: "creds", file: config.NATS_CREDS };
  if (config.NATS_TOKEN) return { kind: "token", token: config.NATS_TOKEN };
  if (config.NATS_USER && config.NATS_PASSWORD)
    return { kind: "user", user: config.NATS_USER, password: config.NATS_PASSWORD };
  return { kind: "none" };
};

const logger = createLogger("city-relay");

await runService(logger, async () => {
  const config = parseConfig(Config);
  const metro = await loadMetro(config.METRO);
  const city = cityOf(metro, config.CITY);
  if (!city) throw new Error(`CITY ${config.CITY} is not a city of ${config.METRO}`);
  const secret = city.delivery.kind === "webhook" ? await readSecret(city.delivery.secret) : undefined;
  const bus = await connectBus({
    servers: config.NATS_URL.split(","),
    name: `${city.id}-relay`,
    credentials: credentialsOf(config),
  });
  const registry = new Registry();
  registry.setDefaultLabels({ service: "city-relay" });
  const relay = await createCityRelay({
    bus,
    city,
    ...(secret !== undefined && { secret }),
    logger,
    concurrency: config.RELAY_CONCURRENCY,
    maxAttempts: config.RELAY_MAX_ATTEMPTS,
    from: config.RELAY_FROM,
    registry,
  });
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    host: config.OPS_HOST,
    registry,
    checks: { nats: () => bus.isConnected(), relay: () => relay.status().running },
  });
  logger.info({ ops: ops.url }, "ops endpoint listening");
  return {
    stop: async () => {
      await relay.stop();
      await ops.close();
      await bus.close();
    },
  };
});
