import { z } from "zod";
import { currentDefinitions } from "./catalog.ts";
import { envelopeShape } from "./envelope.ts";

const eventSchemaOf = <D extends (typeof currentDefinitions)[number]>(definition: D) =>
  z.strictObject({
    ...envelopeShape,
    type: z.literal(definition.type),
    dataversion: z.literal(definition.version),
    data: definition.data as D["data"],
  });

/**
 * Every current event type as one zod discriminated union over `type`: for tools that want a single
 * schema (documentation, editors, other languages through JSON Schema). Publishing and reading go
 * through validateEvent / decodeEvent, which add the rules across attributes and name every path.
 */
export const TongbaoEventSchema = z.discriminatedUnion(
  "type",
  currentDefinitions.map(eventSchemaOf) as unknown as [
    ReturnType<typeof eventSchemaOf>,
    ...ReturnType<typeof eventSchemaOf>[],
  ],
);
