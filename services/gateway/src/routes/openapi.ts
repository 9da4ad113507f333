// The gateway's HTTP API as OpenAPI 3.1, written by hand: the routes are few, and the event bodies
// are the catalog's JSON Schemas (served under /v1/schemas), referenced rather than copied.

type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

const problem = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

const json = (description: string, schema: Json) => ({
  description,
  content: { "application/json": { schema } },
});

const query = (name: string, description: string, schema: Json = { type: "string" }) => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
});

const common = {
  "400": problem("A parameter or the body is invalid; `issues` names every offending path"),
  "401": problem("No bearer token, or not a city's token"),
};

export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Tongbao gateway",
    version: "0.1.0",
    description:
      "The HTTP face of Tongbao for city systems: publish CloudEvents, read history, receipts, the live feed, pass checks and the risk map. Every /v1 route but the documents needs `Authorization: Bearer <city token>`.",
  },
  security: [{ cityToken: [] }],
  paths: {
    "/v1/events": {
      post: {
        summary: "Publish one event or a batch",
        description:
          "`origin` defaults to the caller's city (another city is refused with 403), `source` to /cities/<city>/gateway, `id`, `time` and `specversion` are filled when absent. Answers once JetStream has stored the events. A retry with the same id is stored once (`duplicate: true`). A batch (at most 1,000 events, all broadcasts or all directed messages) is stored whole or not at all: every event is validated (400, paths prefixed `[i].`) and decided (403/404/409/422, naming `event [i]`) before JetStream commits the batch as one. A repeated batch (the same ids) answers `duplicate: true` for each event; one repeating only some stored events is refused (409).",
        requestBody: {
          required: true,
          content: {
            "application/cloudevents+json": { schema: { $ref: "#/components/schemas/EventInput" } },
            "application/json": { schema: { $ref: "#/components/schemas/EventInput" } },
            "application/cloudevents-batch+json": {
              schema: {
                type: "array",
                minItems: 1,
                maxItems: 1000,
                items: { $ref: "#/components/schemas/EventInput" },
              },
            },
          },
        },
        responses: {
          "202": {
            description: "Stored: one receipt for an event, `results` in order for a batch",
            content: {
              "application/json": {
                schema: {
                  oneOf: [
                    { $ref: "#/components/schemas/Stored" },
                    {
                      type: "object",
                      properties: {
                        results: { type: "array", items: { $ref: "#/components/schemas/Stored" } },
                      },
                    },
                  ],
                },
              },
            },
          },
          ...common,
          "403": problem("The event names another city as origin, or appends to a case another city owns"),
          "404": problem(
            "The event appends to a case never reported, or names a city the metro does not have",
          ),
          "409": problem(
            "The aggregate already holds what the event claims (a case reported twice), or a batch repeats some stored events",
          ),
          "413": problem("The body or the batch is too large"),
          "422": problem("A rule of the domain is broken, e.g. a drill's event on a real case"),
          "415": problem("Not one of the three content types"),
          "503": problem("JetStream did not confirm in time; retry with the same ids"),
        },
      },
      get: {
        summary: "History, oldest first, one page at a time",
        parameters: [
          query("type", "Event types, separated by commas"),
          query("origin", "The publishing city"),
          query("key", "The aggregate key (CloudEvents subject)"),
          query("status", "actual, exercise or test", { enum: ["actual", "exercise", "test"] }),
          query("since", "Event time at or after (ISO 8601 with offset)", {
            type: "string",
            format: "date-time",
          }),
          query("until", "Event time before (ISO 8601 with offset)", { type: "string", format: "date-time" }),
          query("limit", "Events per page (default 100)", { type: "integer", minimum: 1, maximum: 1000 }),
          query("cursor", "From the previous page's `cursor`"),
          query(
            "directed",
            "true: the caller's directed messages (to it and from it) instead of broadcasts",
            {
              type: "boolean",
            },
          ),
        ],
        responses: {
          "200": json("A page; `cursor` is null on the last one", {
            type: "object",
            properties: {
              events: { type: "array", items: { $ref: "/v1/schemas/envelope" } },
              cursor: { type: ["string", "null"] },
            },
          }),
          ...common,
        },
      },
    },
    "/v1/notices/{id}/receipts": {
      get: {
        summary: "Which cities have acknowledged a notice, which are pending, which are overdue",
        parameters: [
          { name: "id", in: "path", required: true, schema: { type: "string" } },
          query("origin", "The notice's origin, when ids could collide across cities"),
        ],
        responses: {
          "200": json("The receipts report", { $ref: "#/components/schemas/Receipts" }),
          ...common,
          "404": problem("No such notice, or not one the caller may see"),
        },
      },
    },
    "/v1/stream": {
      get: {
        summary: "The live feed as server-sent events",
        description:
          "Broadcasts and the directed messages addressed to the caller, from now on. `id: <stream>-<seq>`, `event: <type>`, `data: <CloudEvent>`; a comment line every 15 s.",
        parameters: [
          query("type", "Event types, separated by commas"),
          query("origin", "The publishing city"),
        ],
        responses: {
          "200": { description: "text/event-stream", content: { "text/event-stream": {} } },
          ...common,
        },
      },
    },
    "/v1/passes/{passId}": {
      get: {
        summary: "A checkpoint's check of a pass, in the caller's city",
        parameters: [
          { name: "passId", in: "path", required: true, schema: { type: "string" } },
          query("at", "Check as of this moment (default now)", { type: "string", format: "date-time" }),
        ],
        responses: {
          "200": json("valid, revoked, expired, not-yet-valid, not-valid-here or unknown", {
            type: "object",
          }),
          ...common,
        },
      },
    },
    "/v1/risk": {
      get: {
        summary: "District risk levels now or as of a past moment",
        parameters: [
          query("asOf", "The moment (default now)", { type: "string", format: "date-time" }),
          query("by", "effective (default) or recorded time", { enum: ["effective", "recorded"] }),
        ],
        responses: { "200": json("The risk map", { type: "object" }), ...common },
      },
    },
    "/v1/schemas": {
      get: {
        summary: "The event catalog's JSON Schemas",
        security: [],
        responses: { "200": { description: "The list" } },
      },
    },
    "/v1/schemas/{name}": {
      get: {
        summary: "One JSON Schema: `envelope`, `<type>` (current version) or `<type>.v<n>`",
        security: [],
        parameters: [{ name: "name", in: "path", required: true, schema: { type: "string" } }],
        responses: { "200": { description: "application/schema+json" }, "404": problem("No such schema") },
      },
    },
    "/v1/asyncapi.json": {
      get: {
        summary: "AsyncAPI 3 document of the bus",
        security: [],
        responses: { "200": { description: "AsyncAPI" } },
      },
    },
    "/v1/openapi.json": {
      get: { summary: "This document", security: [], responses: { "200": { description: "OpenAPI" } } },
    },
    "/healthz": {
      get: { summary: "The process answers", security: [], responses: { "200": { description: "ok" } } },
    },
    "/readyz": {
      get: {
        summary: "Connected to NATS",
        security: [],
        responses: { "200": { description: "ready" }, "503": { description: "not ready" } },
      },
    },
    "/metrics": {
      get: {
        summary: "Prometheus text format",
        security: [],
        responses: { "200": { description: "metrics" } },
      },
    },
  },
  webhooks: {
    notice: {
      post: {
        summary: "A notice, delivered to a city's webhook by its relay",
        description:
          "Every broadcast of the other cities and every message directed to the city, signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`, HMAC-SHA256 with the city's secret). One notice per request by default: a structured-mode CloudEvent, `webhook-id` `<origin>:<event id>`. A city whose metro definition sets `delivery.batch` gets CloudEvents' JSON batch mode instead: an array of at most `maxNotices` events, sent at most `maxWaitMs` after its first notice, signed as one message with `webhook-id` `batch_<digest of its notices' ids>`; an aggregate's notices in order within and across batches. A 2xx answer accepts every notice of the request; anything else (or no answer in time) retries each, possibly in another batch, so a receiver de-duplicates on each event's `origin` and `id`.",
        security: [],
        parameters: [
          { name: "webhook-id", in: "header", required: true, schema: { type: "string" } },
          { name: "webhook-timestamp", in: "header", required: true, schema: { type: "string" } },
          { name: "webhook-signature", in: "header", required: true, schema: { type: "string" } },
        ],
        requestBody: {
          required: true,
          content: {
            "application/cloudevents+json": { schema: { $ref: "#/components/schemas/Notice" } },
            "application/cloudevents-batch+json": {
              schema: {
                type: "array",
                minItems: 1,
                maxItems: 1000,
                items: { $ref: "#/components/schemas/Notice" },
              },
            },
          },
        },
        responses: {
          "204": { description: "Accepted: the relay records the city's receipt of every notice sent" },
          "503": { description: "Not now: the relay retries (as does any answer but 2xx)" },
        },
      },
    },
  },
  components: {
    securitySchemes: {
      cityToken: { type: "http", scheme: "bearer", description: "The city's gateway token" },
    },
    schemas: {
      Problem: {
        type: "object",
        required: ["error"],
        properties: {
          error: { type: "string" },
          issues: {
            type: "array",
            items: { type: "object", properties: { path: { type: "string" }, message: { type: "string" } } },
          },
        },
      },
      EventInput: {
        description: "A CloudEvent of the catalog; id, time, specversion, source, origin may be left out",
        type: "object",
        required: ["type", "subject", "data"],
      },
      Notice: {
        description:
          "A stored CloudEvent of the catalog (its schema by type under /v1/schemas), with `origin`, `audience` for a directed message, and `status`",
        type: "object",
        required: ["specversion", "id", "type", "source", "time", "subject", "origin", "data"],
      },
      Stored: {
        type: "object",
        required: ["id", "seq", "duplicate"],
        properties: { id: { type: "string" }, seq: { type: "integer" }, duplicate: { type: "boolean" } },
      },
      Receipts: {
        type: "object",
        properties: {
          notice: { type: "object" },
          dueAt: { type: "string", format: "date-time" },
          expected: { type: "array", items: { type: "string" } },
          acknowledged: {
            type: "array",
            items: {
              type: "object",
              properties: { city: { type: "string" }, at: { type: "string", format: "date-time" } },
            },
          },
          pending: { type: "array", items: { type: "string" } },
          overdue: { type: "array", items: { type: "string" } },
        },
      },
    },
  },
} as const satisfies { readonly [key: string]: Json };
