// The watchdog process: node services/watchdog/src/main.ts (from the repository root).
import { connectBus } from "@tongbao/bus";
import { loadMetro } from "@tongbao/metro";
import {
  createLogger,
  NatsSettings,
  natsOptionsOf,
  OpsSettings,
  parseConfig,
  runService,
  startOpsServer,
} from "@tongbao/service-kit";
import { z } from "zod";
import { createWatchdog } from "./watchdog.ts";

// Its NATS user must read every city's directed messages (to watch trace requests).
const Config = z.object({
  ...NatsSettings,
  ...OpsSettings,
  METRO: z.string().min(1).default("infra/metros/yrd.json"),
  /** How long after storing it a trace request already past due is judged: its answers follow it. */
  TRACE_HISTORY_GRACE_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Notices waiting for a late city before it is behind: one relay.behind, not one overdue each. */
  RELAY_BEHIND_AT_NOTICES: z.coerce.number().int().min(1).default(10),
});

const config = parseConfig(Config);
const logger = createLogger("watchdog");

await runService(logger, async () => {
  const metro = await loadMetro(config.METRO);
  const bus = await connectBus(natsOptionsOf(config, "metro-watchdog", metro));
  // A start that fails half-way must not leave the connection open: the process would never exit.
  const ops = await startOpsServer({
    port: config.OPS_PORT,
    host: config.OPS_HOST,
    checks: { nats: () => bus.isConnected() },
  }).catch(async (error: unknown) => {
    await bus.close();
    throw error;
  });
  const watchdog = await createWatchdog({
    bus,
    metro,
    logger,
    historyGraceMs: config.TRACE_HISTORY_GRACE_SECONDS * 1_000,
    behindAtNotices: config.RELAY_BEHIND_AT_NOTICES,
  }).catch(async (error: unknown) => {
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
