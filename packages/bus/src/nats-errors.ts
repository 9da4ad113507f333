import { JetStreamApiError } from "@nats-io/jetstream";
import {
  TimeoutError as NatsTimeoutError,
  PermissionViolationError,
  RequestError,
} from "@nats-io/transport-node";
import {
  BatchRefusal,
  BatchRefusedError,
  ConcurrencyConflictError,
  NotFoundError,
  PermissionDeniedError,
} from "./errors.ts";

// The one translator from NATS and JetStream failures to the bus's typed errors. Server codes are
// named here once; no other module looks at an error's code, and none matches on message text.

/** JetStream's `err_code`s that Tongbao acts on. */
export const JetStreamCode = {
  /** A clustered stream's replicas cannot be placed: too few peers are online, for now or for good. */
  noPeersForPlacement: 10005,
  clusterNotAvailable: 10008,
  /** The stream's leader moved away (an election is under way). */
  notLeader: 10009,
  consumerNotFound: 10014,
  /** A stream add raced another's: the name now holds a stream made (or changed) by someone else. */
  streamNameInUse: 10058,
  streamNotFound: 10059,
  /** Nats-Expected-Last-Subject-Sequence (or -Sequence) did not hold. */
  wrongLastSequence: 10071,
  /** The same, when the subject's last sequence is not known yet (e.g. a KV create on a fresh key). */
  wrongLastSequenceUnknown: 10164,
  atomicBatchTooLarge: 10199,
  atomicBatchDuplicateMsgId: 10201,
} as const;

const TRANSIENT_CODES = new Set<number>([JetStreamCode.clusterNotAvailable, JetStreamCode.notLeader]);

/** The JetStream `err_code` of an error or of any error in its cause chain. */
export const jetStreamCodeOf = (error: unknown): number | undefined => {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof JetStreamApiError) return e.code;
  }
  return undefined;
};

const permissionViolation = (error: unknown): PermissionViolationError | undefined => {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof PermissionViolationError) return e;
  }
  return undefined;
};

/** NATS refused the subject for this user (a permission, not a failure of the server). */
export const isPermissionDenied = (error: unknown): boolean =>
  error instanceof PermissionDeniedError || permissionViolation(error) !== undefined;

/** No server answered the request: the client calls this `JetStreamNotEnabled` (not exported). */
export const isNoResponders = (error: unknown): boolean => {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e instanceof RequestError && e.isNoResponders()) return true;
    if (e.name === "JetStreamNotEnabled") return true;
    // A direct get while the stream has no leader (an election) answers 503.
    if (e.name === "JetStreamStatusError" && (e as { code?: unknown }).code === 503) return true;
  }
  return false;
};

/** Worth another try with the same message id: a timeout, no responders, a leader election. */
export const isTransient = (error: unknown): boolean =>
  error instanceof NatsTimeoutError ||
  isNoResponders(error) ||
  (error instanceof JetStreamApiError && (TRANSIENT_CODES.has(error.code) || error.status === 503));

/** The aggregate or subject already holds something the write expected to be absent or older. */
export const isConflict = (error: unknown): boolean => {
  const code = jetStreamCodeOf(error);
  return code === JetStreamCode.wrongLastSequence || code === JetStreamCode.wrongLastSequenceUnknown;
};

/** A direct get found no message (status 404): an empty answer, not a failure. The class is not exported. */
export const isNoMessage = (error: unknown): boolean =>
  error instanceof Error &&
  error.name === "JetStreamStatusError" &&
  (error as { code?: unknown }).code === 404;

export const isNotFound = (error: unknown): boolean => {
  const code = jetStreamCodeOf(error);
  return code === JetStreamCode.streamNotFound || code === JetStreamCode.consumerNotFound;
};

/** Turns a NATS error a caller can act on into ours; anything else is passed through as it is. */
export const toBusError = (error: unknown, what: string): unknown => {
  if (
    error instanceof PermissionDeniedError ||
    error instanceof ConcurrencyConflictError ||
    error instanceof NotFoundError ||
    error instanceof BatchRefusedError
  )
    return error;
  const denied = permissionViolation(error);
  if (denied !== undefined) {
    return new PermissionDeniedError(`${what}: NATS denied ${denied.operation} on ${denied.subject}`, {
      cause: error,
    });
  }
  if (isConflict(error)) {
    return new ConcurrencyConflictError(`${what}: someone else wrote first`, { cause: error });
  }
  if (isNotFound(error)) return new NotFoundError(`${what}: not found`, { cause: error });
  const code = jetStreamCodeOf(error);
  if (code === JetStreamCode.atomicBatchTooLarge) {
    return new BatchRefusedError(
      BatchRefusal.tooLarge,
      `${what}: JetStream stores at most 1,000 events at once`,
      { cause: error },
    );
  }
  return error;
};
