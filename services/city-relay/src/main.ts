// The relays of one city or several: `CITY=hangzhou node services/city-relay/src/main.ts`, or
// `CITIES=hangzhou,suzhou` (`CITIES=all`: every city of the metro) from the repository root.
import { connectBus } from "@tongbao/bus";
import { cityId } from "@tongbao/events";
import { cityOf, loadMetro, type Metro, readSecret } from "@tongbao/metro";
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
import { type CityRelay, createCityRelay } from "./relay.ts";

const Config = z
  .object({
    CITY: cityId.optional(),
    CITIES: z
      .string()
      .min(1)
      .transform((list) => list.split(",").map((city) => city.trim()))
      .pipe(z.union([z.tuple([z.literal("all")]), z.array(cityId).min(1)]))
      .optional(),
    ...NatsSettings,
    ...OpsSettings,
    METRO: z.string().min(1).default("infra/metros/yrd.json"),
    RELAY_CONCURRENCY: z.coerce.number().int().positive().default(16),
    RELAY_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
    RELAY_FROM: z.enum(["beginning", "now"]).default("beginning"),
  })
  .refine((config) => (config.CITY === undefined) !== (config.CITIES === undefined), {
    path: ["CITY"],
    message: "set CITY (one city) or CITIES (a comma-separated list, or all), not both",
  })
  .refine((config) => config.NATS_MODE !== "leaf" || config.CITIES === undefined, {
    path: ["CITIES"],
    message: "a leaf node serves one city: set CITY",
  });

const citiesOf = (metro: Metro, config: z.infer<typeof Config>, metroFile: string) => {
  const ids = config.CITY !== undefined ? [config.CITY] : (config.CITIES ?? []);
  if (ids[0] === "all") return metro.cities;
  return ids.map((id) => {
    const city = cityOf(metro, id);
    if (!city) throw new Error(`${id} is not a city of ${metroFile}`);
    return city;
  });
};

const logger = createLogger("city-relay");

await runService(logger, async () => {
  const config = parseConfig(Config);
  const metro = await loadMetro(config.METRO);
  const cities = citiesOf(metro, config, config.METRO);
  // Relays in one process share its connection and event loop, and nothing else: each city keeps
  // its own durable consumers, concurrency and retries, so one city's dead endpoint holds up no other.
  const name = cities.length === 1 ? `${cities[0]?.id}-relay` : `relays-${cities.length}`;
  const bus = await connectBus(natsOptionsOf(config, name, metro));
  const registry = new Registry();
  registry.setDefaultLabels({ service: "city-relay" });
  const relays: CityRelay[] = [];
  try {
    for (const city of cities) {
      const secret = city.delivery.kind === "webhook" ? await readSecret(city.delivery.secret) : undefined;
      relays.push(
        await createCityRelay({
          bus,
          city,
          ...(secret !== undefined && { secret }),
          logger,
          concurrency: config.RELAY_CONCURRENCY,
          maxAttempts: config.RELAY_MAX_ATTEMPTS,
          from: config.RELAY_FROM,
          registry,
        }),
      );
    }
  } catch (error) {
    await Promise.all(relays.map((relay) => relay.stop()));
    await bus.close();
    throw error;
  }
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    host: config.OPS_HOST,
    registry,
    checks: {
      nats: () => bus.isConnected(),
      relays: () => relays.every((relay) => relay.status().running),
    },
  });
  logger.info({ ops: ops.url, cities: cities.map((c) => c.id) }, "ops endpoint listening");
  return {
    stop: async () => {
      await Promise.all(relays.map((relay) => relay.stop()));
      await ops.close();
      await bus.close();
    },
  };
});
