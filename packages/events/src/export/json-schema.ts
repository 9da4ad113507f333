import { z } from "zod";
import { allDefinitions, type EventType, isEventType } from "../catalog.ts";
import type { EventDefinition } from "../definition.ts";
import { schemaUri, strictEnvelope } from "../envelope.ts";
import type { TongbaoEvent } from "../event.ts";
import { examples } from "../examples.ts";
import { cityId, METRO_ORIGIN } from "../formats.ts";
import { prepareEvent } from "../validate.ts";

export type JsonSchema = z.core.JSONSchema.BaseSchema;

/** Generated files must not change from one run to the next: every example gets this id. */
export const EXAMPLE_ID = "0190c3a0-0000-7000-8000-000000000001";

export const ENVELOPE_SCHEMA_ID = "urn:tongbao:schema:envelope";

export const schemaName = (type: string, version: number): string => `${type}.v${version}`;

/** The catalog's example of a current type, completed as a publisher would send it. */
export const exampleEvent = (type: EventType): TongbaoEvent =>
  prepareEvent({ ...examples[type], id: EXAMPLE_ID });

type ErrorMessage = (issue: Record<string, never>) => unknown;

// A zod refinement (`.refine`) is code, and z.toJSONSchema drops it without a word. Its message still
// says what it checks, so keep that in a $comment rather than let the schema look complete.
const refinementNotes = (schema: z.core.$ZodType): string[] =>
  (schema._zod.def.checks ?? []).flatMap((check) => {
    const def = check._zod.def;
    if (def.check !== "custom") return [];
    const error = (def.error as ErrorMessage | undefined)?.({});
    const message = typeof error === "string" ? error : "a rule of the catalog";
    const path = "path" in def && Array.isArray(def.path) ? def.path.join(".") : "";
    return [path === "" ? message : `${path}: ${message}`];
  });

const toJsonSchema = (schema: z.ZodType): JsonSchema => {
  const { $schema, ...rest } = z.toJSONSchema(schema, {
    // What a publisher sends, before zod trims strings: the input side, not the parsed output.
    io: "input",
    target: "draft-2020-12",
    override: ({ zodSchema, jsonSchema }) => {
      const notes = refinementNotes(zodSchema);
      if (notes.length === 0) return;
      const quoted = notes.map((note) => JSON.stringify(note)).join("; ");
      jsonSchema.$comment = `The catalog also checks rules this schema cannot state; when they fail it says: ${quoted}`;
    },
  });
  return { $schema, ...rest };
};

// The envelope as one type's publisher must fill it: type, version and schema fixed; the audience
// required for a directed event and absent from a broadcast; the origin fixed for Tongbao's own.
const eventSchema = (definition: EventDefinition) => {
  const fixed = strictEnvelope.extend({
    type: z.literal(definition.type),
    dataversion: z.literal(definition.version),
    dataschema: z.literal(schemaUri(definition.type, definition.version)),
    data: definition.data,
    ...(definition.publisher === "metro" ? { origin: z.literal(METRO_ORIGIN) } : {}),
  });
  return definition.audience === "directed"
    ? fixed.extend({ audience: cityId })
    : fixed.omit({ audience: true });
};

const described = (id: string, title: string, description: string, schema: JsonSchema): JsonSchema => {
  const { $schema, ...rest } = schema;
  return { $schema, $id: id, title, description, ...rest };
};

export const envelopeJsonSchema = (): JsonSchema =>
  described(
    ENVELOPE_SCHEMA_ID,
    "Tongbao event envelope",
    "A CloudEvents 1.0 event in JSON structured mode with Tongbao's extension attributes; `data` is checked per type.",
    toJsonSchema(strictEnvelope),
  );

export const eventJsonSchema = (definition: EventDefinition): JsonSchema => {
  const { type, version } = definition;
  const schema = described(
    schemaUri(type, version),
    `${type} v${version}`,
    definition.summary,
    toJsonSchema(eventSchema(definition)),
  );
  // Examples exist for current versions only; an older version is documented by its shape alone.
  const example = isEventType(type) ? exampleEvent(type) : undefined;
  return example?.dataversion === version ? { ...schema, examples: [example] } : schema;
};

/** File name → JSON Schema: the envelope, and the full event of every readable (type, version). */
export const jsonSchemaFiles = (): Map<string, JsonSchema> =>
  new Map([
    ["envelope.json", envelopeJsonSchema()],
    ...allDefinitions().map((d): [string, JsonSchema] => [
      `${schemaName(d.type, d.version)}.json`,
      eventJsonSchema(d),
    ]),
  ]);
