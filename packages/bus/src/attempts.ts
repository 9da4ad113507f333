/** A handler's answer "not yet": the event comes back after the pause, not counted as a failure. */
export interface Later {
  readonly retryInMs: number;
}

export type AttemptsOutcome =
  | { readonly kind: "done" }
  | { readonly kind: "later"; readonly retryInMs: number }
  /** Failed on the last attempt. */
  | { readonly kind: "failed"; readonly error: unknown; readonly attempts: number }
  /** Stopped while waiting to try again: the delivery goes back to JetStream. */
  | { readonly kind: "handedBack" };

export interface AttemptsOptions {
  /** The number of the first attempt: a redelivered message goes on counting where it was. */
  readonly firstAttempt: number;
  readonly maxAttempts: number;
  /** Pause before each retry; the last one repeats. */
  readonly backoffMs: readonly number[];
  /** Aborted when the subscription stops: a pending retry is not waited for. */
  readonly stopped: AbortSignal;
  readonly onFailure: (attempt: number, error: unknown) => void;
}

const pause = (ms: number, stopped: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      stopped.removeEventListener("abort", done);
      resolve();
    }
    stopped.addEventListener("abort", done, { once: true });
  });

/**
 * Runs a handler until it succeeds, defers or has failed its last attempt, waiting out the backoff
 * between attempts inside the one delivery. Retrying in place (rather than handing the message back
 * with a delay) keeps the aggregate's later events waiting behind the failed one.
 */
export const attempt = async (
  run: (attempt: number) => Promise<Later | undefined>,
  options: AttemptsOptions,
): Promise<AttemptsOutcome> => {
  for (let n = options.firstAttempt; ; n++) {
    try {
      const later = await run(n);
      return later ? { kind: "later", retryInMs: Math.max(0, later.retryInMs) } : { kind: "done" };
    } catch (error) {
      options.onFailure(n, error);
      if (n >= options.maxAttempts) return { kind: "failed", error, attempts: n };
    }
    if (options.stopped.aborted) return { kind: "handedBack" };
    await pause(options.backoffMs[Math.min(n - 1, options.backoffMs.length - 1)] ?? 0, options.stopped);
    if (options.stopped.aborted) return { kind: "handedBack" };
  }
};
