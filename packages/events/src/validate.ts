import { currentDefinition, definitionOf, eventTypes } from "./catalog.ts";
import type { EventDefinition } from "./definition.ts";
import { looseEnvelope, schemaUri, sourceOrigin, strictEnvelope } from "./envelope.ts";
import { completeEvent, type EventInput, type TongbaoEvent } from "./event.ts";
import { fast } from "./fast.ts";
import { METRO_ORIGIN } from "./formats.ts";
import { EventValidationError, ImpersonationError, toIssues, type ValidationIssue } from "./issues.ts";
import { parseSubject, SubjectError, subjectOfValidEvent } from "./subjects.ts";
import { upcasterFor } from "./upcasters.ts";

type Mode = "publish" | "read";
type Attributes = Record<string, unknown>;

const NO_ISSUES: readonly ValidationIssue[] = [];

const isObject = (value: unknown): value is Attributes =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const parseData = (definition: EventDefinition, data: unknown, mode: Mode) => {
  const quick = fast(definition.data).safeParse(data);
  if (quick.success) return { data: quick.data as unknown, issues: NO_ISSUES };
  // Parsed again only to word the errors: `reportInput` tells a missing field from a wrong one.
  const result = definition.data.safeParse(data, { reportInput: true });
  if (result.success) return { data: result.data as unknown, issues: NO_ISSUES };
  // A reader tolerates attributes it does not know (a newer publisher may add optional ones).
  const issues =
    mode === "read" ? result.error.issues.filter((i) => i.code !== "unrecognized_keys") : result.error.issues;
  return { data: issues.length === 0 ? data : undefined, issues: toIssues(issues, ["data"]) };
};

const definitionIssue = (type: unknown, version: unknown): ValidationIssue | undefined => {
  if (typeof type !== "string") return undefined; // the envelope already reports it
  const current = currentDefinition(type);
  if (current === undefined) {
    return { path: "type", message: `is not an event type of the catalog (known: ${eventTypes.join(", ")})` };
  }
  if (typeof version === "number" && definitionOf(type, version) === undefined) {
    return {
      path: "dataversion",
      message: `is not a known version of ${type} (current: ${current.version})`,
    };
  }
  return undefined;
};

// Rules across attributes that no single schema can state.
const crossIssues = (event: Attributes, definition: EventDefinition): ValidationIssue[] => {
  const issues: ValidationIssue[] = [];
  const { origin, audience, source, dataschema, dataversion } = event;
  const data = isObject(event.data) ? event.data : {};
  if (definition.audience === "directed") {
    if (audience === undefined) {
      issues.push({ path: "audience", message: `is required: ${definition.type} is directed` });
    } else if (audience !== data.targetCity) {
      issues.push({ path: "audience", message: "must equal data.targetCity" });
    } else if (audience === origin) {
      issues.push({ path: "audience", message: "must be another city than the origin" });
    }
  } else if (audience !== undefined) {
    issues.push({ path: "audience", message: `must be left out: ${definition.type} is a broadcast` });
  }
  if (definition.publisher === "metro" && origin !== METRO_ORIGIN) {
    issues.push({ path: "type", message: `${definition.type} is raised by Tongbao itself, not by a city` });
  }
  if (definition.publisher === "city" && origin === METRO_ORIGIN) {
    issues.push({ path: "origin", message: `"${METRO_ORIGIN}" is reserved for Tongbao's own events` });
  }
  const named = typeof source === "string" ? sourceOrigin(source) : undefined;
  if (named !== undefined && named !== origin) {
    issues.push({ path: "source", message: "must name the origin city: /cities/<origin>/<system>" });
  }
  const expectedSchema = schemaUri(definition.type, dataversion as number);
  if (typeof dataversion === "number" && dataschema !== expectedSchema) {
    issues.push({ path: "dataschema", message: `must be ${expectedSchema}` });
  }
  if (definition.type === "case.transferred" && data.newOwner === origin) {
    issues.push({ path: "data.newOwner", message: "must be another city than the current owner" });
  }
  return issues;
};

const check = (input: unknown, mode: Mode) => {
  if (!isObject(input)) throw new EventValidationError([{ path: "", message: "must be a JSON object" }]);
  const schema = mode === "publish" ? strictEnvelope : looseEnvelope;
  const quick = fast(schema).safeParse(input);
  const envelope = quick.success ? quick : schema.safeParse(input, { reportInput: true });
  const issues: ValidationIssue[] = envelope.success ? [] : toIssues(envelope.error.issues);
  const unknown = definitionIssue(input.type, input.dataversion);
  if (unknown !== undefined) issues.push(unknown);
  const definition =
    typeof input.type === "string" && typeof input.dataversion === "number"
      ? definitionOf(input.type, input.dataversion)
      : undefined;
  // The parsed envelope is a fresh object of ours, so the data can be put into it in place.
  return { attributes: (envelope.data ?? { ...input }) as Attributes, definition, issues };
};

/** Checks a complete event as a publisher sends it: strict, every offending path reported at once. */
export const validateEvent = (input: unknown): TongbaoEvent => {
  const { attributes, definition, issues } = check(input, "publish");
  if (definition === undefined) throw new EventValidationError(issues);
  const parsed = parseData(definition, attributes.data, "publish");
  issues.push(...parsed.issues, ...crossIssues(attributes, definition));
  if (issues.length > 0) throw new EventValidationError(issues);
  attributes.data = parsed.data;
  return attributes as TongbaoEvent;
};

/** completeEvent, then validateEvent: what `publish` does before anything leaves the process. */
export const prepareEvent = (input: EventInput): TongbaoEvent => validateEvent(completeEvent(input));

/** What a stored body claims against the subject it was stored under, part by part. */
const subjectIssues = (event: TongbaoEvent, storedUnder: string): ValidationIssue[] => {
  if (subjectOfValidEvent(event) === storedUnder) return [];
  let parts: ReturnType<typeof parseSubject>;
  try {
    parts = parseSubject(storedUnder);
  } catch (error) {
    if (!(error instanceof SubjectError)) throw error;
    return [{ path: "", message: `was stored under "${storedUnder}", which is no Tongbao event subject` }];
  }
  const issues: ValidationIssue[] = [];
  const differs = (path: string, claimed: string | undefined, actual: string | undefined, what: string) => {
    if (claimed !== actual)
      issues.push({
        path,
        message: `disagrees with the subject it was stored under (${what} ${actual ?? "none"})`,
      });
  };
  differs("origin", event.origin, parts.origin, "origin");
  differs("audience", event.audience, parts.audience, "target");
  differs("type", event.type, parts.type, "type");
  differs("subject", event.subject, parts.key, "key");
  return issues;
};

/**
 * Reads a stored event: tolerant of attributes it does not know, and upcast from the version it was
 * stored in to the current one, so that no reader ever sees an old shape. Who said it is the subject
 * it was stored under, never the body: a body that disagrees is refused (ImpersonationError), and so
 * is one that breaks a rule across attributes that the publisher checks (a raw client skips them).
 */
export const decodeEvent = (stored: unknown, storedUnder: string): TongbaoEvent => {
  const { attributes, definition, issues } = check(stored, "read");
  if (definition === undefined || issues.length > 0) throw new EventValidationError(issues);
  let parsed = parseData(definition, attributes.data, "read");
  let version = definition.version;
  const current = currentDefinition(definition.type) as EventDefinition;
  while (parsed.issues.length === 0 && version < current.version) {
    const upcaster = upcasterFor(definition.type, version);
    const next = definitionOf(definition.type, version + 1);
    if (upcaster === undefined || next === undefined) {
      throw new EventValidationError([
        { path: "dataversion", message: `no upcaster from version ${version}` },
      ]);
    }
    version += 1;
    parsed = parseData(next, upcaster.upcast(parsed.data as never), "read");
    attributes.dataversion = version;
    attributes.dataschema = schemaUri(definition.type, version);
  }
  if (parsed.issues.length > 0) throw new EventValidationError(parsed.issues);
  attributes.data = parsed.data;
  const event = attributes as TongbaoEvent;
  const forged = subjectIssues(event, storedUnder);
  if (forged.length > 0) throw new ImpersonationError(forged);
  const broken = crossIssues(attributes, current);
  if (broken.length > 0) throw new EventValidationError(broken);
  return event;
};
