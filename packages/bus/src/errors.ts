// One class per failure a caller can act on; callers branch with instanceof, never on message text.
// Validation failures are the catalog's EventValidationError, re-exported from the package entry.

/** NATS or Tongbao refused the caller: another city's name, another city's case, a denied subject. */
export class PermissionDeniedError extends Error {
  override readonly name = "PermissionDeniedError";
}

/** What was asked for does not exist: a case never reported, a stream not set up, a dead letter gone. */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/** JetStream did not confirm in time, even after retrying with the same message id until the deadline. */
export class TimeoutError extends Error {
  override readonly name: string = "TimeoutError";
}

/** A rule of the domain is broken: a drill's event on a real case, a transfer to the owner itself. */
export class RuleViolationError extends Error {
  override readonly name = "RuleViolationError";
}

export const BatchRefusal = {
  /** More events than JetStream stores at once. */
  tooLarge: "too-large",
  /** Broadcasts and directed messages together: they are stored in different streams. */
  mixedStreams: "mixed-streams",
  /** Some of its events were stored before, by another batch: resend the batch without them. */
  storedBefore: "stored-before",
} as const;
export type BatchRefusal = (typeof BatchRefusal)[keyof typeof BatchRefusal];

/** A batch refused as a whole: nothing of it is stored. */
export class BatchRefusedError extends Error {
  override readonly name = "BatchRefusedError";
  readonly refusal: BatchRefusal;
  constructor(refusal: BatchRefusal, message: string, options?: ErrorOptions) {
    super(message, options);
    this.refusal = refusal;
  }
}

/** Someone else appended to the aggregate first: read it again and decide anew. */
export class ConcurrencyConflictError extends Error {
  override readonly name = "ConcurrencyConflictError";
}

export interface TopologyDifference {
  readonly resource: string;
  readonly setting: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

/** A stream or consumer exists with other settings than Tongbao needs. It is never silently changed. */
export class TopologyConflictError extends Error {
  override readonly name = "TopologyConflictError";
  readonly differences: readonly TopologyDifference[];

  constructor(differences: readonly TopologyDifference[], options?: ErrorOptions) {
    const list = differences
      .map(
        (d) =>
          `${d.resource}.${d.setting}: expected ${JSON.stringify(d.expected)}, found ${JSON.stringify(d.actual)}`,
      )
      .join("; ");
    super(`existing NATS resources conflict with Tongbao's topology: ${list}`, options);
    this.differences = differences;
  }
}
