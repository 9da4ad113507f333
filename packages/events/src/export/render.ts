import { asyncApiDocument } from "./asyncapi.ts";
import { jsonSchemaFiles } from "./json-schema.ts";

/** Where the JSON Schema files go, relative to packages/events/generated. */
export const JSON_SCHEMA_DIR = "json-schema";

const asJson = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Every file of packages/events/generated, by path relative to it (always with `/`), as text. The
 * generate script writes exactly these; the test compares the checked-in files with them.
 */
export const renderGenerated = (): Map<string, string> =>
  new Map([
    ...[...jsonSchemaFiles()].map(([name, schema]): [string, string] => [
      `${JSON_SCHEMA_DIR}/${name}`,
      asJson(schema),
    ]),
    ["asyncapi.json", asJson(asyncApiDocument())],
  ]);
