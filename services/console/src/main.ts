// The console process: node services/console/src/main.ts (from the repository root).
import { connectBus } from "@tongbao/bus";
import { loadMetro } from "@tongbao/metro";
import { openReadModels } from "@tongbao/projections";
import { createLogger, natsOptionsOf, parseConfig, runService } from "@tongbao/service-kit";
import { ConsoleConfig } from "./config.ts";
import { createConsole } from "./console.ts";
import { loadOperators } from "./operators.ts";

const logger = createLogger("console");

await runService(logger, async () => {
  const config = parseConfig(ConsoleConfig);
  const metro = await loadMetro(config.METRO);
  const operators = await loadOperators({
    file: config.CONSOLE_OPERATORS_FILE,
    ...(config.CONSOLE_OPERATORS && { json: config.CONSOLE_OPERATORS }),
  });
  const bus = await connectBus(natsOptionsOf(config, "tongbao-console", metro));
  try {
    const app = createConsole({
      bus,
      metro,
      readModels: await openReadModels(bus, metro),
      deadLetters: bus.deadLetters,
      operators,
      logger,
      sessionLifetimeMs: config.CONSOLE_SESSION_HOURS * 3600_000,
      secureCookie: config.CONSOLE_SECURE_COOKIE,
    });
    const url = await app.listen({ host: config.CONSOLE_HOST, port: config.CONSOLE_PORT });
    logger.info({ url, operators: Object.keys(operators).length }, "console listening");
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
