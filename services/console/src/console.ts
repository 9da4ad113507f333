import type { Bus, DeadLetterAdmin } from "@tongbao/bus";
import type { Metro } from "@tongbao/metro";
import type { ReadModels } from "@tongbao/projections";
import type { Logger } from "@tongbao/service-kit";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import { registerAuth, requireOperator } from "./auth.ts";
import { type ConsoleContext, defaultLimits, type Limits } from "./context.ts";
import type { OperatorHashes } from "./operators.ts";
import { problemOf } from "./problems.ts";
import { registerDeadLetters } from "./routes/dead-letters.ts";
import { registerFeed } from "./routes/feed.ts";
import { registerPage } from "./routes/page.ts";
import { registerReceipts } from "./routes/receipts.ts";
import { registerRelays } from "./routes/relays.ts";
import { registerReplay } from "./routes/replay.ts";
import { registerState } from "./routes/state.ts";
import { createSessions } from "./sessions.ts";

export interface ConsoleOptions {
  readonly bus: Bus;
  readonly metro: Metro;
  readonly readModels: ReadModels;
  /** `bus.deadLetters`. */
  readonly deadLetters: DeadLetterAdmin;
  /** Operator name → SHA-256 (hex) of the operator's token (see loadOperators). */
  readonly operators: OperatorHashes;
  readonly logger?: Logger;
  readonly limits?: Partial<Limits>;
  /** How long a sign-in lasts (default 12 hours). */
  readonly sessionLifetimeMs?: number;
  /** Mark the session cookie Secure (behind HTTPS). */
  readonly secureCookie?: boolean;
}

const redact = {
  paths: ["req.headers.authorization", "req.headers.cookie", "headers.authorization", "headers.cookie"],
  censor: "[redacted]",
};

/**
 * The console as a fastify app, not yet listening: `app.listen` in a process, tests too.
 * `app.close()` ends the live feeds.
 */
export const createConsole = (options: ConsoleOptions): FastifyInstance => {
  const limits: Limits = { ...defaultLimits, ...options.limits };
  const context: ConsoleContext = {
    ...options,
    cities: options.metro.cities.map((c) => c.id),
    limits,
  };
  const loggerInstance: FastifyBaseLogger | undefined = options.logger?.child(
    { component: "http" },
    { redact },
  );
  const app = Fastify({
    ...(loggerInstance === undefined ? { logger: false } : { loggerInstance }),
    bodyLimit: 16 * 1024,
  });
  const sessionLifetimeMs = options.sessionLifetimeMs ?? 12 * 3600_000;

  app.setErrorHandler((error, request, reply) => {
    const { status, body } = problemOf(error);
    if (status >= 500) request.log.error({ err: error }, "request failed");
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}` }),
  );
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const connected = options.bus.isConnected();
    return reply
      .code(connected ? 200 : 503)
      .send({ status: connected ? "ready" : "not ready", checks: { nats: connected } });
  });

  registerAuth(app, {
    operators: options.operators,
    sessions: createSessions(sessionLifetimeMs),
    sessionLifetimeMs,
    secureCookie: options.secureCookie ?? false,
  });
  registerPage(app, context);
  app.register(async (api) => {
    api.addHook("onRequest", requireOperator);
    registerFeed(api, context);
    registerReceipts(api, context);
    registerRelays(api, context);
    registerState(api, context);
    registerReplay(api, context);
    registerDeadLetters(api, context);
  });
  return app;
};
