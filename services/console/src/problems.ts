import { NotFoundError, PermissionDeniedError } from "@tongbao/bus";

/** What an HTTP caller is told: a status and `{ error, issues? }`. */
export class HttpProblem extends Error {
  override readonly name = "HttpProblem";
  readonly status: number;
  readonly issues: readonly { path: string; message: string }[] | undefined;

  constructor(status: number, message: string, issues?: readonly { path: string; message: string }[]) {
    super(message);
    this.status = status;
    this.issues = issues;
  }
}

/**
 * The status and body for an error a route let through: a caller's mistake says what it was;
 * anything else is a 500 without details (those go to the log).
 */
export const problemOf = (error: unknown): { status: number; body: { error: string; issues?: unknown } } => {
  if (error instanceof HttpProblem)
    return {
      status: error.status,
      body:
        error.issues === undefined
          ? { error: error.message }
          : { error: error.message, issues: error.issues },
    };
  if (error instanceof NotFoundError) return { status: 404, body: { error: error.message } };
  // The console's NATS user lacks a right: a deployment that connects it as `operator` (read only)
  // rather than as `console`. Say so, instead of an internal error or a silent nothing.
  if (error instanceof PermissionDeniedError)
    return {
      status: 403,
      body: { error: "the console's NATS user may not do this: connect the console as the console user" },
    };
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return { status: 415, body: { error: "send JSON" } };
  if (code === "FST_ERR_CTP_EMPTY_JSON_BODY" || code === "FST_ERR_CTP_INVALID_JSON_BODY")
    return { status: 400, body: { error: "the body is not JSON" } };
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500)
    return { status: statusCode, body: { error: (error as Error).message } };
  return { status: 500, body: { error: "internal error" } };
};

export const badRequest = (message: string, issues?: readonly { path: string; message: string }[]) =>
  new HttpProblem(400, message, issues);
