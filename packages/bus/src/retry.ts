import { TimeoutError } from "./errors.ts";
import { isTransient, toBusError } from "./nats-errors.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, fails for good, or the deadline passes. Each try gets at most
 * the time left. Publishing is safe to repeat because every try carries the same message id. `what`
 * may be a function: the label is then built only when an error needs it, not on every publish.
 */
export const untilDeadline = async <T>(
  what: string | (() => string),
  deadlineMs: number,
  attempt: (timeoutMs: number) => Promise<T>,
): Promise<T> => {
  const deadline = Date.now() + deadlineMs;
  for (let tries = 0; ; tries++) {
    const left = deadline - Date.now();
    try {
      return await attempt(Math.max(250, Math.min(5_000, left)));
    } catch (error) {
      const label = typeof what === "string" ? what : what();
      if (!isTransient(error)) throw toBusError(error, label);
      const pause = Math.min(1_000, 50 * 2 ** tries);
      if (Date.now() + pause >= deadline) {
        throw new TimeoutError(`${label}: not confirmed by JetStream within ${deadlineMs} ms`, {
          cause: error,
        });
      }
      await sleep(pause);
    }
  }
};
