import { JetStreamApiError } from "@nats-io/jetstream";
import {
  TimeoutError as NatsTimeoutError,
  PermissionViolationError,
  RequestError,
} from "@nats-io/transport-node";
import { ConcurrencyConflictError, PermissionDeniedError, TimeoutError } from "./errors.ts";

// JetStream answers 10071 when Nats-Expected-Last-Subject-Sequence does not hold.
const WRONG_LAST_SEQUENCE = 10071;
// "cluster not available" / "not leader": an election is under way.
const ELECTION_CODES = new Set([10008, 10009]);

const permissionViolation = (error: unknown): PermissionViolationError | undefined => {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof PermissionViolationError) return e;
  }
  return undefined;
};

/** Worth another try with the same message id: a timeout, no responders, a leader election. */
export const isTransient = (error: unknown): boolean =>
  error instanceof NatsTimeoutError ||
  // What the client says for "no responders", e.g. during an election; the class is not exported.
  (error instanceof Error && error.name === "JetStreamNotEnabled") ||
  (error instanceof RequestError && error.isNoResponders()) ||
  (error instanceof JetStreamApiError && (ELECTION_CODES.has(error.code) || error.status === 503));

/** Turns a NATS error a caller can act on into ours; anything else is passed through as it is. */
export const toBusError = (error: unknown, what: string): unknown => {
  const denied = permissionViolation(error);
  if (denied !== undefined) {
    return new PermissionDeniedError(`${what}: NATS denied ${denied.operation} on ${denied.subject}`, {
      cause: error,
    });
  }
  if (error instanceof JetStreamApiError && error.code === WRONG_LAST_SEQUENCE) {
    return new ConcurrencyConflictError(`${what}: someone else appended first`, { cause: error });
  }
  return error;
};

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
        throw new TimeoutError(`${what}: not confirmed by JetStream within ${deadlineMs} ms`, {
          cause: error,
        });
      }
      await sleep(pause);
    }
  }
};
