import type { Published } from "@tongbao/bus";
import {
  type EventInput,
  EventValidationError,
  prepareEvent,
  type TongbaoEvent,
  type ValidationIssue,
} from "@tongbao/events";
import type { FastifyInstance } from "fastify";
import { ContentTypes, mediaTypeOf } from "../body.ts";
import type { GatewayContext } from "../context.ts";
import { badRequest, HttpProblem } from "../problems.ts";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const at = (index: number | undefined, path: string) =>
  index === undefined ? path : path === "" ? `[${index}]` : `[${index}].${path}`;

const describeOrigin = (origin: unknown) =>
  typeof origin === "string" && origin.length <= 40 ? `"${origin}"` : "another city";

/**
 * The caller's event made complete: the caller's city as origin when absent, the gateway as source,
 * then the catalog's defaults (id, time, specversion) and its validation. An event in another city's
 * name is refused outright, before anything else is said about it.
 */
const prepare = (raw: unknown, city: string, index?: number): TongbaoEvent => {
  if (!isObject(raw))
    throw new EventValidationError([{ path: at(index, ""), message: "must be a JSON object" }]);
  if (raw.origin !== undefined && raw.origin !== city) {
    throw new HttpProblem(
      403,
      `${index === undefined ? "the event" : `event [${index}]`} names origin ${describeOrigin(raw.origin)}: ${city} may publish only as ${city}`,
    );
  }
  const input = { ...raw, origin: city, source: raw.source ?? `/cities/${city}/gateway` } as EventInput;
  try {
    return prepareEvent(input);
  } catch (error) {
    if (!(error instanceof EventValidationError) || index === undefined) throw error;
    throw new EventValidationError(error.issues.map((issue) => ({ ...issue, path: at(index, issue.path) })));
  }
};

/** Every event of a batch checked before any is stored: a batch with one bad event stores nothing. */
const prepareBatch = (body: unknown, city: string, maxEvents: number): TongbaoEvent[] => {
  if (!Array.isArray(body)) throw badRequest("a batch must be a JSON array of events");
  if (body.length === 0) throw badRequest("a batch must hold at least one event");
  if (body.length > maxEvents) throw new HttpProblem(413, `a batch holds at most ${maxEvents} events`);
  const events: TongbaoEvent[] = [];
  const issues: ValidationIssue[] = [];
  body.forEach((raw, index) => {
    try {
      events.push(prepare(raw, city, index));
    } catch (error) {
      if (!(error instanceof EventValidationError)) throw error;
      issues.push(...error.issues);
    }
  });
  if (issues.length > 0) throw badRequest("invalid events; none was stored", issues);
  return events;
};

const receiptOf = (published: Published) => ({
  id: published.id,
  seq: published.seq,
  duplicate: published.duplicate,
});

export const registerIngest = (app: FastifyInstance, context: GatewayContext) => {
  const { bus, metrics, limits } = context;
  const options = { deadlineMs: limits.publishDeadlineMs };

  const record = (kind: "event" | "batch", started: bigint, stored: readonly Published[], origin: string) => {
    metrics.publishSeconds.observe({ kind }, Number(process.hrtime.bigint() - started) / 1e9);
    for (const published of stored) metrics.published.inc({ origin, duplicate: String(published.duplicate) });
  };

  app.post("/v1/events", async (request, reply) => {
    const city = request.city;
    if (mediaTypeOf(request.headers["content-type"]) !== ContentTypes.batch) {
      if (Array.isArray(request.body)) {
        throw badRequest(`a JSON array is a batch: send it as ${ContentTypes.batch}`);
      }
      const event = prepare(request.body, city);
      const started = process.hrtime.bigint();
      const published = await bus.publish(event, options);
      record("event", started, [published], city);
      return reply.code(202).send(receiptOf(published));
    }
    const events = prepareBatch(request.body, city, limits.batchEvents);
    const started = process.hrtime.bigint();
    // All or nothing: JetStream commits the batch as one, after every event's decider accepted it.
    const stored = await bus.publishBatch(events, options);
    record("batch", started, stored, city);
    return reply.code(202).send({ results: stored.map(receiptOf) });
  });
};
