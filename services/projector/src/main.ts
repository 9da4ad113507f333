// The projector process (from the repository root):
//   node services/projector/src/main.ts                 keep the read models current
//   node services/projector/src/main.ts rebuild [name]  rebuild one read model (or all), print the figures, exit
import { connectBus } from "@tongbao/bus";
import { loadMetro } from "@tongbao/metro";
import { createProjector } from "@tongbao/projections";
import { createLogger, natsOptionsOf, parseConfig, runService, startOpsServer } from "@tongbao/service-kit";
import { Config } from "./config.ts";

const [command, modelName] = process.argv.slice(2);
const logger = createLogger("projector");

const connect = async () => {
  const config = parseConfig(Config);
  const metro = await loadMetro(config.METRO);
  const bus = await connectBus(natsOptionsOf(config, "metro-projector", metro));
  const projector = createProjector({
    bus,
    logger,
    batchSize: config.PROJECTOR_BATCH_SIZE,
    flushEveryMs: config.PROJECTOR_FLUSH_MS,
  });
  return { config, metro, bus, projector };
};

const rebuild = async () => {
  const { bus, projector } = await connect();
  try {
    await projector.ready;
    const figures = await projector.rebuild(modelName);
    process.stdout.write(
      `rebuilt ${figures.models.join(", ")}: ${figures.events} events in ${figures.seconds.toFixed(2)} s ` +
        `(${figures.eventsPerSecond} events/s)\n`,
    );
  } finally {
    await projector.stop();
    await bus.close();
  }
};

if (command === "rebuild") {
  await rebuild().catch((error: unknown) => {
    logger.fatal({ err: error }, "rebuild failed");
    process.exitCode = 1;
  });
} else if (command !== undefined) {
  logger.fatal({ command }, 'unknown command: run without one, or with "rebuild [name]"');
  process.exitCode = 2;
} else {
  await runService(logger, async () => {
    const { config, metro, bus, projector } = await connect();
    let caughtUp = false;
    projector.ready.then(
      () => {
        caughtUp = true;
      },
      () => undefined,
    );
    const ops = await startOpsServer({
      port: config.OPS_PORT,
      host: config.OPS_HOST,
      checks: { nats: () => bus.isConnected(), caughtUp: () => caughtUp },
    }).catch(async (error: unknown) => {
      await projector.stop();
      await bus.close();
      throw error;
    });
    logger.info({ metro: metro.id, ops: ops.url }, "projecting read models");
    return {
      stop: async () => {
        await projector.stop();
        await ops.close();
        await bus.close();
      },
    };
  });
}
