// @tongbao/events — the catalog. Pure: no I/O, no NATS.

export type { DataOf, EventType } from "./catalog.ts";
export {
  allDefinitions,
  currentDefinition,
  currentDefinitions,
  definitionOf,
  eventTypes,
  isEventType,
  legacyDefinitions,
} from "./catalog.ts";
export type { EventDefinition } from "./definition.ts";
export { Audience, Publisher } from "./definition.ts";
export type { Envelope } from "./envelope.ts";
export { EventStatus, looseEnvelope, schemaUri, strictEnvelope } from "./envelope.ts";
export type { EventInput, TongbaoEvent } from "./event.ts";
export { completeEvent } from "./event.ts";
export { idTimeOf } from "./event-id.ts";
export type { ExampleEvent } from "./examples.ts";
export { examples } from "./examples.ts";
export { cityId, isCityId, isToken, METRO_ORIGIN, token } from "./formats.ts";
export type { ValidationIssue } from "./issues.ts";
export { EventValidationError, ImpersonationError } from "./issues.ts";
export type { SubjectFilter, SubjectParts } from "./subjects.ts";
export {
  ANY_AUDIENCE,
  aggregateOfSubject,
  aggregateSubject,
  filterSubject,
  parseSubject,
  SubjectError,
  SubjectSpace,
  subjectOf,
  subjectOfValidEvent,
} from "./subjects.ts";
export { RiskLevel } from "./types/measures.ts";
export { overdueKey } from "./types/overdue.ts";
export { TongbaoEventSchema } from "./union.ts";
export { decodeEvent, prepareEvent, validateEvent } from "./validate.ts";
