// One city's relay: `CITY=hangzhou node services/city-relay/src/main.ts` (from the repository root).
import { connectBus } from "@tongbao/bus";
import { cityId } from "@tongbao/events";
import { cityIds, cityOf, loadMetro, readSecret } from "@tongbao/metro";
import {
  createLogger,
  NatsSettings,
  natsOptionsOf,
  OpsSettings,
  parseConfig,
  runService,
  startOpsServer,
} from "@tongbao/service-kit";
import { Registry } from "prom-client";
import { z } from "zod";
import { createCityRelay } from "./relay.ts";

const Config = z.object({
  CITY: cityId,
  ...NatsSettings,
  ...OpsSettings,
  METRO: z.string().min(1).default("infra/metros/yrd.json"),
  RELAY_CONCURRENCY: z.coerce.number().int().positive().default(16),
  RELAY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  RELAY_FROM: z.enum(["beginning", "now"]).default("beginning"),
});

const logger = createLogger("city-relay");

await runService(logger, async () => {
  const config = parseConfig(Config);
  const metro = await loadMetro(config.METRO);
  const city = cityOf(metro, config.CITY);
  if (!city) throw new Error(`CITY ${config.CITY} is not a city of ${config.METRO}`);
  const secret = city.delivery.kind === "webhook" ? await readSecret(city.delivery.secret) : undefined;
  const bus = await connectBus(natsOptionsOf(config, `${city.id}-relay`, cityIds(metro)));
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
