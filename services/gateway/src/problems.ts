import {
  BatchRefusal,
  BatchRefusedError,
  ConcurrencyConflictError,
  EventValidationError,
  NotFoundError,
  PermissionDeniedError,
  RuleViolationError,
  TimeoutError,
} from "@tongbao/bus";
import type { ValidationIssue } from "@tongbao/events";
import { INGEST_TYPES } from "./body.ts";

/** What an HTTP caller is told: a status and a JSON body `{ error, issues? }`. */
export class HttpProblem extends Error {
  override readonly name = "HttpProblem";
  readonly status: number;
  readonly issues: readonly ValidationIssue[] | undefined;

  constructor(status: number, message: string, issues?: readonly ValidationIssue[]) {
    super(message);
    this.status = status;
    this.issues = issues;
  }
}

export const badRequest = (message: string, issues?: readonly ValidationIssue[]) =>
  new HttpProblem(400, message, issues);

export interface ProblemBody {
  readonly error: string;
  readonly issues?: readonly ValidationIssue[];
}

// Fastify's own refusals, by code, in words a city system's developer can act on.
const fastifyProblem = (error: { code?: unknown; statusCode?: unknown }, bodyLimit: number) => {
  switch (error.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new HttpProblem(413, `the body is larger than ${bodyLimit} bytes`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new HttpProblem(415, `content type must be one of: ${INGEST_TYPES.join(", ")}`);
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new HttpProblem(400, "content-length does not match the body");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new HttpProblem(400, "the body is empty");
    default:
      return undefined;
  }
};

/**
 * The status and body for any error a route let through. Bus errors a caller can act on say why;
 * anything else is a 500 without details (those go to the log, which never holds bodies).
 */
export const problemOf = (error: unknown, bodyLimit: number): { status: number; body: ProblemBody } => {
  const known = toProblem(error, bodyLimit);
  if (known === undefined) return { status: 500, body: { error: "internal error" } };
  return {
    status: known.status,
    body:
      known.issues === undefined ? { error: known.message } : { error: known.message, issues: known.issues },
  };
};

const batchStatus: Record<BatchRefusal, number> = {
  [BatchRefusal.tooLarge]: 413,
  [BatchRefusal.mixedStreams]: 400,
  [BatchRefusal.storedBefore]: 409,
};

const toProblem = (error: unknown, bodyLimit: number): HttpProblem | undefined => {
  if (error instanceof HttpProblem) return error;
  if (error instanceof EventValidationError) return badRequest("invalid event", error.issues);
  if (error instanceof PermissionDeniedError) return new HttpProblem(403, error.message);
  if (error instanceof NotFoundError) return new HttpProblem(404, error.message);
  if (error instanceof ConcurrencyConflictError) return new HttpProblem(409, error.message);
  if (error instanceof RuleViolationError) return new HttpProblem(422, error.message);
  if (error instanceof BatchRefusedError) return new HttpProblem(batchStatus[error.refusal], error.message);
  if (error instanceof TimeoutError)
    return new HttpProblem(503, "the bus did not confirm in time; retry with the same event id");
  if (typeof error === "object" && error !== null) return fastifyProblem(error, bodyLimit);
  return undefined;
};
