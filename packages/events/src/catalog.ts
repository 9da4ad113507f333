import type { z } from "zod";
import type { EventDefinition } from "./definition.ts";
import { caseClosed, caseReclassified, caseReported, caseTransferred } from "./types/cases.ts";
import { personPushed, traceAnswered, traceRequested } from "./types/directed.ts";
import { policyChanged, riskChanged, riskChangedV1, trafficChanged } from "./types/measures.ts";
import { noticeOverdue, relayBehind, traceOverdue } from "./types/overdue.ts";
import { isolationReleased, passIssued, passRevoked } from "./types/recognition.ts";
import { supplyDispatched, supplyOffered, supplyRequested } from "./types/supplies.ts";

/** The current version of every event type: what publishers send and what replay hands out. */
export const currentDefinitions = [
  caseReported,
  caseReclassified,
  caseClosed,
  caseTransferred,
  traceRequested,
  traceAnswered,
  personPushed,
  isolationReleased,
  passIssued,
  passRevoked,
  policyChanged,
  trafficChanged,
  riskChanged,
  supplyRequested,
  supplyOffered,
  supplyDispatched,
  noticeOverdue,
  traceOverdue,
  relayBehind,
] as const;

/** Older versions that are still readable: stored events of these versions are upcast on read. */
export const legacyDefinitions = [riskChangedV1] as const;

type Current = (typeof currentDefinitions)[number];
export type EventType = Current["type"];
export type DataOf<T extends EventType> = z.output<Extract<Current, { type: T }>["data"]>;

const byTypeAndVersion = new Map<string, Map<number, EventDefinition>>();
for (const definition of [...currentDefinitions, ...legacyDefinitions]) {
  const versions = byTypeAndVersion.get(definition.type) ?? new Map<number, EventDefinition>();
  byTypeAndVersion.set(definition.type, versions.set(definition.version, definition));
}
const currentByType = new Map<string, EventDefinition>(currentDefinitions.map((d) => [d.type, d]));

export const eventTypes: readonly EventType[] = currentDefinitions.map((d) => d.type);

export const isEventType = (type: string): type is EventType => currentByType.has(type);

export const currentDefinition = (type: string): EventDefinition | undefined => currentByType.get(type);

export const definitionOf = (type: string, version: number): EventDefinition | undefined =>
  byTypeAndVersion.get(type)?.get(version);

export const allDefinitions = (): EventDefinition[] =>
  [...byTypeAndVersion.values()].flatMap((v) => [...v.values()]);
