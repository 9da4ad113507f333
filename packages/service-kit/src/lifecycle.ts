import type { Logger } from "pino";

export interface Running {
  stop(): Promise<void>;
}

/**
 * Runs a service process: starts it, and on SIGTERM or SIGINT stops it, giving in-flight work at
 * most `shutdownTimeoutMs`. A start that fails exits non-zero, with the reason in the log.
 */
export const runService = async (
  logger: Logger,
  start: () => Promise<Running>,
  shutdownTimeoutMs = 10_000,
): Promise<void> => {
  let running: Running;
  try {
    running = await start();
  } catch (error) {
    logger.fatal({ err: error }, "failed to start");
    process.exitCode = 1;
    return;
  }
  logger.info("started");
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping");
    const timer = setTimeout(() => {
      logger.error({ shutdownTimeoutMs }, "in-flight work did not finish in time; exiting");
      process.exit(1);
    }, shutdownTimeoutMs);
    timer.unref();
    try {
      await running.stop();
      logger.info("stopped");
    } catch (error) {
      logger.error({ err: error }, "stop failed");
      process.exitCode = 1;
    }
    clearTimeout(timer);
    // Whatever a failed stop left behind (a NATS client still reconnecting) must not keep us alive.
    process.exit();
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
};
