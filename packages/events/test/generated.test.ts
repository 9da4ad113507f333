import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, it } from "vitest";
import { asyncApiDocument } from "../src/export/asyncapi.ts";
import { exampleEvent, schemaName } from "../src/export/json-schema.ts";
import { renderGenerated } from "../src/export/render.ts";
import { allDefinitions, currentDefinitions, parseSubject, schemaUri } from "../src/index.ts";

const generatedDir = join(import.meta.dirname, "..", "generated");
const rendered = renderGenerated();
const STALE = "packages/events/generated is stale: run `pnpm generate` and commit the result";

const checkedInFiles = (): string[] =>
  existsSync(generatedDir)
    ? readdirSync(generatedDir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => relative(generatedDir, join(entry.parentPath, entry.name)).split(sep).join("/"))
        .sort()
    : [];

describe("packages/events/generated", () => {
  it("holds exactly the files a fresh render has, no more, no fewer", () => {
    expect(checkedInFiles(), STALE).toEqual([...rendered.keys()].sort());
  });

  it.each([...rendered.keys()])("%s equals a fresh render", (path) => {
    const file = join(generatedDir, path);
    const text = existsSync(file) ? readFileSync(file, "utf8") : "(missing)";
    expect(text, `${path}: ${STALE}`).toBe(rendered.get(path));
  });
});

// Just enough of a JSON Schema validator for the keywords zod emits for this catalog. It refuses
// any other keyword, so a schema it cannot fully check fails here instead of passing unread.
interface Schema {
  readonly [keyword: string]: unknown;
  readonly type?: string;
  readonly required?: string[];
  readonly properties?: Record<string, Schema>;
  readonly additionalProperties?: boolean;
  readonly items?: Schema;
  readonly enum?: unknown[];
}

const ANNOTATIONS = ["$schema", "$id", "$comment", "title", "description", "examples", "format"];
const LIMITS: Record<string, (value: number, limit: number) => boolean> = {
  minimum: (v, l) => v >= l,
  maximum: (v, l) => v <= l,
  exclusiveMinimum: (v, l) => v > l,
  minLength: (v, l) => v >= l,
  maxLength: (v, l) => v <= l,
  minItems: (v, l) => v >= l,
  maxItems: (v, l) => v <= l,
};
const STRUCTURE = [
  "type",
  "const",
  "enum",
  "pattern",
  "required",
  "properties",
  "additionalProperties",
  "items",
];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const typeOf = (value: unknown): string => {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  return Number.isInteger(value) ? "integer" : typeof value;
};

const sizeOf = (keyword: string, value: unknown): number | undefined => {
  if (keyword.endsWith("Length")) return typeof value === "string" ? [...value].length : undefined;
  if (keyword.endsWith("Items")) return Array.isArray(value) ? value.length : undefined;
  return typeof value === "number" ? value : undefined;
};

const violations = (schema: Schema, value: unknown, at = "$"): string[] => {
  const unknown = Object.keys(schema).filter(
    (k) => !ANNOTATIONS.includes(k) && !STRUCTURE.includes(k) && !(k in LIMITS),
  );
  if (unknown.length > 0) return [`${at}: the test cannot check ${unknown.join(", ")}`];
  const actual = typeOf(value);
  if (
    schema.type !== undefined &&
    actual !== schema.type &&
    !(schema.type === "number" && actual === "integer")
  ) {
    return [`${at}: must be of type ${schema.type}`];
  }
  const out: string[] = [];
  if ("const" in schema && value !== schema.const) out.push(`${at}: must be ${JSON.stringify(schema.const)}`);
  if (schema.enum !== undefined && !schema.enum.includes(value)) out.push(`${at}: must be one of the enum`);
  if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(String(value))) {
    out.push(`${at}: must match ${schema.pattern}`);
  }
  for (const [keyword, holds] of Object.entries(LIMITS)) {
    const size = sizeOf(keyword, value);
    const limit = schema[keyword];
    if (typeof limit === "number" && size !== undefined && !holds(size, limit))
      out.push(`${at}: fails ${keyword}`);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    out.push(...value.flatMap((item, i) => violations(schema.items as Schema, item, `${at}[${i}]`)));
  }
  if (isObject(value)) {
    for (const key of schema.required ?? []) if (!(key in value)) out.push(`${at}.${key}: is required`);
    for (const [key, item] of Object.entries(value)) {
      const property = schema.properties?.[key];
      if (property !== undefined) out.push(...violations(property, item, `${at}.${key}`));
      else if (schema.additionalProperties === false) out.push(`${at}.${key}: is not allowed`);
    }
  }
  return out;
};

const schemaFile = (type: string, version: number): Schema =>
  JSON.parse(rendered.get(`json-schema/${schemaName(type, version)}.json`) ?? "null") as Schema;

describe("the JSON Schema files", () => {
  it("has one file per readable (type, version), with its schema URI as $id, and the envelope", () => {
    for (const d of allDefinitions())
      expect(schemaFile(d.type, d.version).$id).toBe(schemaUri(d.type, d.version));
    expect(rendered.has("json-schema/envelope.json")).toBe(true);
  });

  it.each(currentDefinitions.map((d) => [d.type, d] as const))("%s: its example validates", (type, d) => {
    const schema = schemaFile(type, d.version);
    const example = exampleEvent(type);
    expect(schema.description).toBe(d.summary);
    expect(schema.examples).toEqual([example]);
    expect(violations(schema, example)).toEqual([]);
    expect(
      violations(JSON.parse(rendered.get("json-schema/envelope.json") ?? "null") as Schema, example),
    ).toEqual([]);
  });

  it.each(currentDefinitions.map((d) => [d.type, d] as const))("%s: a broken example does not", (type, d) => {
    const schema = schemaFile(type, d.version);
    const example = exampleEvent(type);
    const missing = schema.properties?.data?.required?.[0] ?? "(none)";
    const data: Record<string, unknown> = { ...example.data };
    delete data[missing];
    expect(violations(schema, { ...example, data })).toContain(`$.data.${missing}: is required`);
    expect(violations(schema, { ...example, type: "case.unknown" })).toContain(`$.type: must be "${type}"`);
    expect(violations(schema, { ...example, origin: "Hang Zhou" })).not.toEqual([]);
  });
});

const resolve = (document: unknown, ref: string): unknown => {
  if (!ref.startsWith("#/")) return undefined;
  return ref
    .slice(2)
    .split("/")
    .map((token) => token.replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, token) => (isObject(node) ? node[token] : undefined), document);
};

describe("the AsyncAPI document", () => {
  const document = asyncApiDocument();
  const channels = Object.entries(document.channels);

  it("is AsyncAPI 3.0.0 for Tongbao with a local NATS server", () => {
    expect(document.asyncapi).toBe("3.0.0");
    expect(document.info.title).toBe("Tongbao");
    expect(document.info.description).toContain("一地发现、多地通报");
    expect(Object.values(document.servers)).toContainEqual(
      expect.objectContaining({ protocol: "nats", host: "localhost:4222" }),
    );
  });

  it("names every channel parameter its address uses, and only those", () => {
    for (const [, channel] of channels) {
      const used = [...channel.address.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect(Object.keys(channel.parameters).sort()).toEqual(used.sort());
      for (const parameter of Object.values(channel.parameters)) expect(parameter.description).not.toBe("");
    }
  });

  it("resolves every channel's messages to components with a CloudEvents payload schema", () => {
    for (const [, channel] of channels) {
      for (const reference of Object.values(channel.messages)) {
        const message = resolve(document, reference.$ref) as Record<string, unknown> | undefined;
        expect(message, reference.$ref).toMatchObject({ contentType: "application/cloudevents+json" });
        const payload = message?.payload as { $ref: string };
        expect(resolve(document, payload.$ref), payload.$ref).toMatchObject({ type: "object" });
      }
    }
  });

  it("has every operation on an existing channel, with messages of that channel", () => {
    for (const [id, operation] of Object.entries(document.operations)) {
      expect(["send", "receive"], id).toContain(operation.action);
      expect(resolve(document, operation.channel.$ref), id).toBeDefined();
      for (const reference of operation.messages) {
        expect(reference.$ref.startsWith(`${operation.channel.$ref}/messages/`), reference.$ref).toBe(true);
        expect(resolve(document, reference.$ref), reference.$ref).toBeDefined();
      }
    }
  });

  it.each(currentDefinitions.map((d) => [d.type, d] as const))(
    "%s: has a channel of the bus's subject",
    (type, d) => {
      const channel = document.channels[type];
      expect(channel?.address.startsWith(d.audience === "directed" ? "dm.{target}." : "evt.")).toBe(true);
      // The address, filled in from the example, must be the subject the bus stores the example under.
      const example = exampleEvent(type);
      const values: Record<string, string | undefined> = {
        target: example.audience,
        origin: example.origin,
        [d.key]: example.subject,
      };
      const subject = channel?.address.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "?") ?? "";
      expect(parseSubject(subject)).toEqual({
        origin: example.origin,
        type,
        key: example.subject,
        ...(d.audience === "directed" ? { audience: example.audience } : {}),
      });
      expect(Object.hasOwn(document.operations, `send.${type}`)).toBe(d.publisher === "city");
      expect(Object.hasOwn(document.operations, `receive.${type}`)).toBe(true);
    },
  );
});
