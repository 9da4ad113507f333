import type { Bus } from "@tongbao/bus";
import type { Metro } from "@tongbao/metro";
import type { Logger } from "@tongbao/service-kit";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from "fastify";
import { createAuthenticator, type TokenHashes } from "./auth.ts";
import { registerBodyParsers } from "./body.ts";
import { defaultLimits, type GatewayContext, type Limits } from "./context.ts";
import { createGatewayMetrics } from "./metrics.ts";
import { HttpProblem, problemOf } from "./problems.ts";
import type { ReadModels } from "./read-models.ts";
import { registerDocuments } from "./routes/documents.ts";
import { registerHistory } from "./routes/history.ts";
import { registerIngest } from "./routes/ingest.ts";
import { registerReceipts } from "./routes/receipts.ts";
import { registerRecognition } from "./routes/recognition.ts";
import { registerStream } from "./routes/stream.ts";

export interface GatewayOptions {
  readonly bus: Bus;
  readonly metro: Metro;
  /** City → SHA-256 (hex) of its bearer token (see loadTokenHashes). */
  readonly tokens: TokenHashes;
  readonly readModels: ReadModels;
  /** Request logs go here, without bodies and with the authorization header redacted. */
  readonly logger?: Logger;
  readonly limits?: Partial<Limits>;
  /**
   * The cities whose systems this gateway serves (default: every city of the metro). A gateway on a
   * city's leaf node serves that city only: it publishes into that city's outbox, and another city's
   * systems use their own city's gateway.
   */
  readonly serves?: readonly string[];
}

// Second line of defence: fastify's request serializer leaves headers out, but a custom one might not.
const redact = { paths: ["req.headers.authorization", "headers.authorization"], censor: "[redacted]" };

// Found by the fuzz run (test/hardening/input): fastify's default request serializer logs the raw
// URL, so whatever a caller put in a path or a query string (a key, a cursor, a hostile value, a
// person's details) reached the log. The route pattern says which route was asked, and nothing more.
const requestForLog = (request: FastifyRequest) => ({
  method: request.method,
  route: request.routeOptions?.url ?? "unmatched",
  remoteAddress: request.ip,
});

/**
 * The gateway as a fastify app, routes registered, not yet listening: `app.inject` in tests,
 * `app.listen` in a process. `app.close()` ends live feeds and stops answering.
 */
export const createGateway = (options: GatewayOptions): FastifyInstance => {
  const limits: Limits = { ...defaultLimits, ...options.limits };
  const metrics = createGatewayMetrics();
  const context: GatewayContext = { ...options, limits, metrics };
  const loggerInstance: FastifyBaseLogger | undefined = options.logger?.child(
    { component: "http" },
    { redact, serializers: { req: requestForLog } },
  );
  const app = Fastify({
    ...(loggerInstance === undefined ? { logger: false } : { loggerInstance }),
    bodyLimit: limits.bodyBytes,
  });
  const authenticate = createAuthenticator(options.tokens);

  registerBodyParsers(app);
  app.decorateRequest("city", "");
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = problemOf(error, limits.bodyBytes);
    if (status >= 500) request.log.error({ err: error }, "request failed");
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: `no route ${request.method} ${request.url.split("?")[0]}` }),
  );
  app.addHook("onResponse", async (request: FastifyRequest, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    metrics.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
  });

  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_request, reply) => {
    const connected = options.bus.isConnected();
    return reply
      .code(connected ? 200 : 503)
      .send({ status: connected ? "ready" : "not ready", checks: { nats: connected } });
  });
  app.get("/metrics", async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  registerDocuments(app);

  // Every other /v1 route acts for a city: the token is checked before the body is even read.
  app.register(async (cityScope) => {
    cityScope.addHook("onRequest", async (request, reply) => {
      const city = authenticate(request.headers.authorization);
      if (city === undefined) {
        reply.header("www-authenticate", 'Bearer realm="tongbao"');
        throw new HttpProblem(
          401,
          request.headers.authorization === undefined
            ? "missing Authorization: Bearer <city token>"
            : "the bearer token is not a city's token",
        );
      }
      if (options.serves !== undefined && !options.serves.includes(city)) {
        throw new HttpProblem(
          403,
          `this gateway serves ${options.serves.join(", ")}: ${city}'s systems use ${city}'s own gateway`,
        );
      }
      request.city = city;
    });
    registerIngest(cityScope, context);
    registerHistory(cityScope, context);
    registerReceipts(cityScope, context);
    registerStream(cityScope, context);
    registerRecognition(cityScope, context);
  });
  return app;
};
