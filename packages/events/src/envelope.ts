import { z } from "zod";
import { cityId, dateTime, token, traceparent } from "./formats.ts";

/** Drills and tests never mix with real traffic: every event says which it is. */
export const EventStatus = z.enum(["actual", "exercise", "test"]);
export type EventStatus = z.infer<typeof EventStatus>;

export const SOURCE_PATTERN = /^\/(?:cities\/([a-z][a-z0-9-]{0,39})|(metro))\/[A-Za-z0-9_-]{1,64}$/;

/** CloudEvents 1.0 context attributes plus Tongbao's extension attributes (lower-case, per the spec). */
export const envelopeShape = {
  specversion: z.literal("1.0", { error: 'must be "1.0" (CloudEvents 1.0)' }),
  /** UUIDv7 by default; unique per origin, and part of the JetStream de-duplication id. */
  id: token,
  /** `/cities/<city>/<system>`, or `/metro/<system>` for what Tongbao raises itself. */
  source: z
    .string()
    .regex(SOURCE_PATTERN, "must be /cities/<city>/<system> (system: A-Z, a-z, 0-9, '_', '-')"),
  type: z.string().min(1, "must name an event type, e.g. case.reported"),
  /** When it happened (effective time), ISO 8601 with offset. */
  time: dateTime,
  /** The aggregate key: a case id, a pass id, a district id. The last token of the NATS subject. */
  subject: token,
  datacontenttype: z.literal("application/json", { error: 'must be "application/json"' }),
  /** Names the data schema and its version, e.g. urn:tongbao:schema:case.reported:v1. */
  dataschema: z.string().min(1),
  /** Extension: the city that published the event. */
  origin: cityId,
  /** Extension: the one city a directed event is for. */
  audience: cityId.optional(),
  /** Extension: the version of the data schema. */
  dataversion: z.number().int("must be a whole number").min(1, "must be 1 or more"),
  /** Extension: actual, exercise or test. */
  status: EventStatus,
  correlationid: token.optional(),
  causationid: token.optional(),
  traceparent: traceparent.optional(),
  tracestate: z.string().max(512, "must be at most 512 characters").optional(),
  data: z.unknown(),
};

/** Publishers get strict checking: an unknown attribute is most likely a typo. */
export const strictEnvelope = z.strictObject(envelopeShape);
/** Readers are tolerant: a newer publisher may add attributes an older reader does not know. */
export const looseEnvelope = z.looseObject(envelopeShape);

export type Envelope = Omit<z.output<typeof strictEnvelope>, "data">;

export const schemaUri = (type: string, version: number): string => `urn:tongbao:schema:${type}:v${version}`;

/** The city named in `source`, or "metro" for Tongbao's own events. */
export const sourceOrigin = (source: string): string | undefined => {
  const match = SOURCE_PATTERN.exec(source);
  return match?.[1] ?? match?.[2];
};
