import {
  ConcurrencyConflictError,
  EventValidationError,
  NotFoundError,
  PermissionDeniedError,
  RuleViolationError,
  TimeoutError,
  TopologyConflictError,
} from "@tongbao/bus";

/** What scripts can rely on: each failure a caller might branch on has its own exit code. */
export const ExitCode = {
  ok: 0,
  /** Wrong command line: unknown command or option, missing argument. */
  usage: 1,
  /** What was asked for does not exist: a notice, a dead letter, a pass. */
  notFound: 2,
  /** Bad input: an invalid event, one that breaks a rule, a time that is not a time, an unknown read model. */
  invalid: 3,
  /** NATS could not be reached, or did not answer in time. */
  connection: 4,
  /** NATS or Tongbao refused: another city's origin or case, a denied subject. */
  denied: 5,
  /** It ran and the answer is no: a drill city that never acknowledged, a pass not valid, a stale link. */
  negative: 6,
  /** Anything else (a bug, a topology conflict): the message says what. */
  failed: 10,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the command has already put into words, with the exit code it stands for. */
export class CliError extends Error {
  override readonly name = "CliError";
  readonly exitCode: ExitCode;

  constructor(message: string, exitCode: ExitCode, options?: ErrorOptions) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

// The NATS client's own classes are not the CLI's to import (only the bus imports the client).
const CONNECTION_ERRORS = new Set(["ConnectionError", "ClosedConnectionError", "NoRespondersError"]);

export const exitCodeOf = (error: unknown): ExitCode => {
  if (error instanceof CliError) return error.exitCode;
  if (
    error instanceof EventValidationError ||
    error instanceof RuleViolationError ||
    error instanceof TypeError ||
    error instanceof RangeError
  )
    return ExitCode.invalid;
  if (error instanceof NotFoundError) return ExitCode.notFound;
  if (error instanceof PermissionDeniedError || error instanceof ConcurrencyConflictError)
    return ExitCode.denied;
  if (error instanceof TimeoutError) return ExitCode.connection;
  if (error instanceof TopologyConflictError) return ExitCode.failed;
  if (error instanceof Error && CONNECTION_ERRORS.has(error.name)) return ExitCode.connection;
  return ExitCode.failed;
};

/** One line, for stderr: never a payload, only what went wrong. */
export const reasonOf = (error: unknown): string => {
  if (error instanceof EventValidationError)
    return `invalid event: ${error.issues.map((i) => `${i.path || "(event)"} ${i.message}`).join("; ")}`;
  if (error instanceof Error && CONNECTION_ERRORS.has(error.name))
    return `cannot reach NATS: ${error.message}`;
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, " ");
};
