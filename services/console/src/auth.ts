import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { createOperatorCheck, type OperatorHashes } from "./operators.ts";
import { HttpProblem } from "./problems.ts";
import type { Session, Sessions } from "./sessions.ts";

export const SESSION_COOKIE = "tongbao_console";
export const CSRF_HEADER = "x-csrf-token";

declare module "fastify" {
  interface FastifyRequest {
    /** The signed-in operator ("" before sign-in). */
    operator: string;
    /** The cookie session, when the operator came with one (not with a bearer token). */
    session: Session | undefined;
  }
}

const BEARER = /^Bearer +(\S+) *$/i;

const cookieOf = (request: FastifyRequest, name: string): string | undefined => {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
};

const sameText = (a: string, b: string) => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
};

export interface AuthOptions {
  readonly operators: OperatorHashes;
  readonly sessions: Sessions;
  readonly sessionLifetimeMs: number;
  /** Mark the cookie Secure: set when the console is served over HTTPS. */
  readonly secureCookie: boolean;
}

/**
 * Sign-in and who is asking. Operators sign in with their token (POST /login, JSON) and get an
 * HttpOnly, SameSite=Strict session cookie; scripts may send the token as a bearer instead. A POST
 * made with the cookie must also carry the session's CSRF token in a header, which another site's
 * page can neither read nor set.
 */
export const registerAuth = (app: FastifyInstance, options: AuthOptions) => {
  const operatorOf = createOperatorCheck(options.operators);
  const { sessions } = options;
  const cookie = (value: string, maxAgeSeconds: number) =>
    [
      `${SESSION_COOKIE}=${value}`,
      "Path=/",
      "HttpOnly",
      "SameSite=Strict",
      `Max-Age=${maxAgeSeconds}`,
      ...(options.secureCookie ? ["Secure"] : []),
    ].join("; ");

  app.decorateRequest("operator", "");
  app.decorateRequest("session", undefined);
  app.addHook("onRequest", async (request) => {
    const bearer = BEARER.exec(request.headers.authorization ?? "")?.[1];
    if (bearer !== undefined) {
      request.operator = operatorOf(bearer) ?? "";
      return;
    }
    const session = sessions.find(cookieOf(request, SESSION_COOKIE));
    request.session = session;
    request.operator = session?.operator ?? "";
  });

  app.post("/login", async (request, reply) => {
    requireJson(request);
    const token = (request.body as { token?: unknown } | null)?.token;
    if (typeof token !== "string" || token.length === 0)
      throw new HttpProblem(400, 'send {"token": "<your operator token>"}');
    const operator = operatorOf(token);
    if (operator === undefined) throw new HttpProblem(401, "this is not an operator's token");
    const session = sessions.open(operator);
    request.log.info({ operator }, "operator signed in");
    return reply
      .header("set-cookie", cookie(session.id, Math.floor(options.sessionLifetimeMs / 1000)))
      .send({ operator, csrf: session.csrf });
  });

  app.post("/logout", async (request, reply) => {
    requireCsrf(request);
    if (request.session !== undefined) sessions.close(request.session.id);
    return reply.header("set-cookie", cookie("", 0)).send({ signedOut: true });
  });
};

/** JSON only: a cross-site HTML form cannot send it without the browser asking first. */
export const requireJson = (request: FastifyRequest) => {
  if (!/^application\/json\b/i.test(request.headers["content-type"] ?? ""))
    throw new HttpProblem(415, "send JSON (content-type: application/json)");
};

/** For state-changing requests made with the session cookie. A bearer needs none. */
export const requireCsrf = (request: FastifyRequest) => {
  requireJson(request);
  if (request.session === undefined) return;
  const sent = request.headers[CSRF_HEADER];
  if (typeof sent !== "string" || !sameText(sent, request.session.csrf))
    throw new HttpProblem(403, `missing or wrong ${CSRF_HEADER} header (reload the page)`);
};

/** The API answers 401; the page sends the browser to the sign-in page. */
export const requireOperator = async (request: FastifyRequest, reply: FastifyReply) => {
  if (request.operator !== "") return;
  if (request.url.startsWith("/api/")) {
    reply.header("www-authenticate", 'Bearer realm="tongbao-console"');
    throw new HttpProblem(401, "sign in first: POST /login, or Authorization: Bearer <operator token>");
  }
  return reply.redirect("/login", 303);
};
