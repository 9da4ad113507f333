import { readFileSync } from "node:fs";
import { join } from "node:path";
import { eventTypes } from "@tongbao/events";
import type { FastifyInstance } from "fastify";
import { requireOperator } from "../auth.ts";
import type { ConsoleContext } from "../context.ts";
import { HttpProblem } from "../problems.ts";

const PAGE_DIR = join(import.meta.dirname, "..", "page");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The page's files, read once: only these names are served, so no path can reach anything else. */
const ASSETS = [
  "console.css",
  "console.js",
  "dom.js",
  "feed.js",
  "panels.js",
  "dead-letters.js",
  "favicon.svg",
];
const load = (name: string) => ({
  body: readFileSync(join(PAGE_DIR, name)),
  type: TYPES[name.slice(name.lastIndexOf("."))] ?? "application/octet-stream",
});

/**
 * The page itself: everything from this server, nothing from the internet. The CSP forbids inline
 * script and any other origin, so the page works the same on a closed network.
 */
export const registerPage = (app: FastifyInstance, { metro }: ConsoleContext) => {
  const index = load("index.html");
  const login = load("login.html");
  const assets = new Map(ASSETS.map((name) => [name, load(name)]));

  app.addHook("onSend", async (_request, reply) => {
    reply.header(
      "content-security-policy",
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    if (!reply.hasHeader("cache-control")) reply.header("cache-control", "no-store");
  });

  app.get("/login", async (_request, reply) => reply.type(login.type).send(login.body));
  app.get("/", { onRequest: requireOperator }, async (_request, reply) =>
    reply.type(index.type).send(index.body),
  );
  app.get<{ Params: { name: string } }>("/assets/:name", async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (asset === undefined) throw new HttpProblem(404, "no such file");
    return reply.type(asset.type).send(asset.body);
  });

  app.get("/api/session", { onRequest: requireOperator }, async (request) => ({
    operator: request.operator,
    csrf: request.session?.csrf ?? null,
    metro: {
      id: metro.id,
      name: metro.name,
      timeZone: metro.timeZone,
      acknowledgeWithinSeconds: metro.acknowledgeWithinSeconds,
      cities: metro.cities.map((c) => ({ id: c.id, name: c.name, districts: c.districts })),
    },
    types: eventTypes,
  }));
};
