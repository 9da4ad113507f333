// The demo cities' systems: one webhook sink for every webhook city of the metro.
import { cityIds, loadMetro, readSecret } from "@tongbao/metro";
import { createLogger, parseConfig, runService } from "@tongbao/service-kit";
import { z } from "zod";
import { startWebhookSink } from "./sink.ts";

const Config = z.object({
  METRO: z.string().min(1).default("infra/metros/yrd.json"),
  SINK_PORT: z.coerce.number().int().min(0).max(65_535).default(18_090),
  SINK_HOST: z.string().min(1).default("127.0.0.1"),
});

const logger = createLogger("webhook-sink");

await runService(logger, async () => {
  const config = parseConfig(Config);
  const metro = await loadMetro(config.METRO);
  const secrets: Record<string, string> = {};
  for (const city of metro.cities) {
    if (city.delivery.kind === "webhook") secrets[city.id] = await readSecret(city.delivery.secret);
  }
  const sink = await startWebhookSink({ port: config.SINK_PORT, host: config.SINK_HOST, secrets });
  logger.info(
    { url: sink.url, cities: Object.keys(secrets), of: cityIds(metro).length },
    "webhook sink listening",
  );
  return { stop: () => sink.close() };
});
