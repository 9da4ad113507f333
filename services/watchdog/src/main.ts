// The watchdog process: node services/watchdog/src/main.ts (from the repository root).
import { connectBus } from "@tongbao/bus";
import { loadMetro } from "@tongbao/metro";
import { createLogger, parseConfig, runService, startOpsServer } from "@tongbao/service-kit";
import { z } from "zod";
import { createWatchdog } from "./watchdog.ts";

const Config = z.object({
  NATS_URL: z.string().min(1).default("nats://127.0.0.1:14222"),
  /** A NATS credentials file for the watchdog's user (it reads every city's directed messages). */
  NATS_CREDS: z.string().min(1).optional(),
  METRO: z.string().min(1).default("infra/metros/yrd.json"),
  OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(9_404),
});

const config = parseConfig(Config);
const logger = createLogger("watchdog");

await runService(logger, async () => {
  const metro = await loadMetro(config.METRO);
  const bus = await connectBus({
    servers: config.NATS_URL,
    name: "metro-watchdog",
    ...(config.NATS_CREDS && { credentials: { kind: "creds", file: config.NATS_CREDS } }),
  });
  // A start that fails half-way must not leave the connection open: the process would never exit.
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    checks: { nats: () => bus.isConnected() },
  }).catch(async (error: unknown) => {
    await bus.close();
    throw error;
  });
  const watchdog = await createWatchdog({ bus, metro, logger }).catch(async (error: unknown) => {
    await ops.close();
    await bus.close();
    throw error;
  });
  logger.info({ metro: metro.id, ops: ops.url }, "watching acknowledgements and trace requests");
  return {
    stop: async () => {
      await watchdog.stop();
      await ops.close();
      await bus.close();
    },
  };
});
