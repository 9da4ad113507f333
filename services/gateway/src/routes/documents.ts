import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { allDefinitions, currentDefinition } from "@tongbao/events";
import type { FastifyInstance } from "fastify";
import { HttpProblem } from "../problems.ts";
import { openApiDocument } from "./openapi.ts";

// The catalog's generated JSON Schema files and AsyncAPI document (`pnpm generate`), served as they are.
const generatedDir = new URL(
  "../generated/",
  `file://${createRequire(import.meta.url).resolve("@tongbao/events")}`,
);

const readGenerated = (path: string) => readFile(new URL(path, generatedDir), "utf8");

const schemaNames = new Map<string, string>([
  ["envelope", "envelope.json"],
  ...allDefinitions().map((d): [string, string] => [
    `${d.type}.v${d.version}`,
    `${d.type}.v${d.version}.json`,
  ]),
]);

/** `case.reported` names its current version; `case.reported.v1` one version; `envelope` the envelope. */
const fileOf = (name: string): string | undefined => {
  const current = currentDefinition(name);
  return schemaNames.get(current === undefined ? name : `${current.type}.v${current.version}`);
};

/** Public documents: the event schemas, AsyncAPI for the bus, OpenAPI for this HTTP API. */
export const registerDocuments = (app: FastifyInstance) => {
  const cache = new Map<string, Promise<string>>();
  const cached = (path: string) => {
    let text = cache.get(path);
    if (text === undefined) {
      text = readGenerated(path);
      cache.set(path, text);
    }
    return text;
  };

  app.get("/v1/schemas", async () => ({
    schemas: allDefinitions().map((d) => ({
      name: `${d.type}.v${d.version}`,
      type: d.type,
      version: d.version,
      current: currentDefinition(d.type)?.version === d.version,
      audience: d.audience,
      summary: d.summary,
      href: `/v1/schemas/${d.type}.v${d.version}`,
    })),
    envelope: "/v1/schemas/envelope",
  }));

  app.get<{ Params: { name: string } }>("/v1/schemas/:name", async (request, reply) => {
    const file = fileOf(request.params.name);
    if (file === undefined) throw new HttpProblem(404, "no such schema; GET /v1/schemas lists them");
    return reply.type("application/schema+json").send(await cached(`json-schema/${file}`));
  });

  app.get("/v1/asyncapi.json", async (_request, reply) =>
    reply.type("application/json").send(await cached("asyncapi.json")),
  );

  app.get("/v1/openapi.json", async () => openApiDocument);
};
