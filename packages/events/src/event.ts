import { v7 as uuidv7 } from "uuid";
import { currentDefinition, type DataOf, type EventType } from "./catalog.ts";
import type { Envelope, EventStatus } from "./envelope.ts";
import { schemaUri } from "./envelope.ts";
import { METRO_ORIGIN } from "./formats.ts";

/** A Tongbao event of the current catalog: the envelope plus the typed data of its type. */
export type TongbaoEvent<T extends EventType = EventType> = T extends EventType
  ? Omit<Envelope, "type"> & { readonly type: T; readonly data: DataOf<T> }
  : never;

/** What a publisher must say; everything else has a sensible default (see completeEvent). */
export interface EventInput {
  readonly type: string;
  readonly origin: string;
  /** The aggregate key (CloudEvents `subject`): the case id, pass id, district id … */
  readonly subject: string;
  readonly data: unknown;
  readonly id?: string;
  readonly time?: string;
  readonly source?: string;
  readonly status?: EventStatus;
  readonly audience?: string;
  readonly dataversion?: number;
  readonly correlationid?: string;
  readonly causationid?: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly [attribute: string]: unknown;
}

const targetCityOf = (data: unknown): unknown =>
  typeof data === "object" && data !== null ? (data as { targetCity?: unknown }).targetCity : undefined;

/**
 * Fills the attributes a publisher may leave out: a UUIDv7 id, the current time, the current version
 * of the type, its schema, status "actual", a source, and — for directed events — the audience from
 * the data's target city. It does not validate; validateEvent does.
 */
export const completeEvent = (input: EventInput): Record<string, unknown> => {
  const definition = currentDefinition(input.type);
  const dataversion = input.dataversion ?? definition?.version ?? 1;
  const target = targetCityOf(input.data);
  const audience =
    input.audience ??
    (definition?.audience === "directed" && typeof target === "string" ? target : undefined);
  // Each default is made only when missing: publish calls this for every event.
  return {
    specversion: "1.0",
    datacontenttype: "application/json",
    status: "actual",
    ...input,
    id: input.id ?? uuidv7(),
    time: input.time ?? new Date().toISOString(),
    source:
      input.source ?? (input.origin === METRO_ORIGIN ? "/metro/tongbao" : `/cities/${input.origin}/sdk`),
    dataversion,
    dataschema: (input.dataschema as string | undefined) ?? schemaUri(input.type, dataversion),
    ...(audience === undefined ? {} : { audience }),
  };
};
