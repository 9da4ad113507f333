// The gateway process: config, logger, bus, read models, HTTP. Everything else is in createGateway.
import { connectBus } from "@tongbao/bus";
import { loadMetro } from "@tongbao/metro";
import { openReadModels } from "@tongbao/projections";
import { createLogger, natsOptionsOf, parseConfig, runService } from "@tongbao/service-kit";
import { loadTokenHashes } from "./auth.ts";
import { GatewayConfig } from "./config.ts";
import { createGateway } from "./gateway.ts";

const logger = createLogger("gateway");

await runService(logger, async () => {
  const config = parseConfig(GatewayConfig);
  const metro = await loadMetro(config.METRO);
  const tokens = await loadTokenHashes(metro);
  const bus = await connectBus(natsOptionsOf(config, "tongbao-gateway", metro));
  try {
    const readModels = await openReadModels(bus, metro);
    const app = createGateway({
      bus,
      metro,
      tokens,
      readModels,
      logger,
      // On a city's leaf node the gateway publishes into that city's outbox: it serves that city only.
      ...(config.NATS_MODE === "leaf" && config.NATS_CITY !== undefined && { serves: [config.NATS_CITY] }),
      limits: {
        bodyBytes: config.GATEWAY_BODY_LIMIT_BYTES,
        batchEvents: config.GATEWAY_BATCH_LIMIT,
        publishDeadlineMs: config.GATEWAY_PUBLISH_DEADLINE_MS,
      },
    });
    await app.listen({ host: config.GATEWAY_HOST, port: config.GATEWAY_PORT });
    return {
      stop: async () => {
        await app.close();
        await bus.close();
      },
    };
  } catch (error) {
    await bus.close();
    throw error;
  }
});
