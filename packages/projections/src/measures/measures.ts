import type { DataOf, TongbaoEvent } from "@tongbao/events";
import type { ReadModel } from "../model.ts";

// 管控举措 and 交通联动: policies and traffic controls. A measure is its key (policy id, checkpoint or
// line id) within its city; a later event with the same key is a new version of it, and
// `data.revises` says whether it updates or cancels the event it names. Each version takes effect
// at its own effectiveFrom, so the version in force at a moment is the last one (in log order)
// already effective then: a correction published later wins over what it corrects.

export type MeasureKind = "policy" | "traffic";
export type PolicyDetails = Omit<DataOf<"policy.changed">, "revises">;
export type TrafficDetails = Omit<DataOf<"traffic.changed">, "revises">;

export interface MeasureVersion {
  readonly eventId: string;
  readonly cancelled: boolean;
  readonly effectiveFrom: string;
  readonly effectiveUntil?: string;
  /** The earlier event this one updates or cancels, as the publisher named it. */
  readonly revises?: string;
  readonly details: PolicyDetails | TrafficDetails;
}

export interface MeasureState {
  readonly kind: MeasureKind;
  readonly measureId: string;
  readonly origin: string;
  readonly versions: readonly MeasureVersion[];
}

export type Measure = {
  readonly kind: MeasureKind;
  readonly measureId: string;
  readonly origin: string;
  /** The event whose version is in force. */
  readonly eventId: string;
  readonly effectiveFrom: string;
  readonly effectiveUntil?: string;
  /** The events of earlier versions, oldest first: the update chain. */
  readonly supersedes: string[];
  readonly details: PolicyDetails | TrafficDetails;
};

type MeasureEvent = TongbaoEvent<"policy.changed" | "traffic.changed">;

/** Enough versions for any real chain; older moments are answered by folding the log. */
const KEPT_VERSIONS = 20;

const kindOf = (event: MeasureEvent): MeasureKind => {
  switch (event.type) {
    case "policy.changed":
      return "policy";
    case "traffic.changed":
      return "traffic";
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

const versionOf = (event: MeasureEvent): MeasureVersion => {
  const { revises, ...details } = event.data;
  const effectiveUntil = event.type === "policy.changed" ? event.data.effectiveUntil : undefined;
  return {
    eventId: event.id,
    cancelled: revises?.kind === "cancel",
    effectiveFrom: event.data.effectiveFrom,
    ...(effectiveUntil === undefined ? {} : { effectiveUntil }),
    ...(revises === undefined ? {} : { revises: revises.eventId }),
    details,
  };
};

const evolve = (state: MeasureState | undefined, event: MeasureEvent): MeasureState => ({
  kind: kindOf(event),
  measureId: event.subject,
  origin: event.origin,
  versions: [...(state?.versions ?? []), versionOf(event)].slice(-KEPT_VERSIONS),
});

export const measuresModel: ReadModel<MeasureState, MeasureEvent> = {
  name: "measures",
  bucket: "rm-measures",
  streams: ["events"],
  types: ["policy.changed", "traffic.changed"],
  statuses: "actual",
  keyOf: (event) => `${kindOf(event)}.${event.origin}.${event.subject}`,
  evolve,
};

/** The measure as in force at `atMs`, or undefined when it is not (yet, or any more, or cancelled). */
export const measureAt = (state: MeasureState, atMs: number): Measure | undefined => {
  const effective = state.versions.filter((v) => Date.parse(v.effectiveFrom) <= atMs);
  const current = effective.at(-1);
  if (current === undefined || current.cancelled) return undefined;
  if (current.effectiveUntil !== undefined && Date.parse(current.effectiveUntil) <= atMs) return undefined;
  return {
    kind: state.kind,
    measureId: state.measureId,
    origin: state.origin,
    eventId: current.eventId,
    effectiveFrom: current.effectiveFrom,
    ...(current.effectiveUntil === undefined ? {} : { effectiveUntil: current.effectiveUntil }),
    supersedes: effective.slice(0, -1).map((v) => v.eventId),
    details: current.details,
  };
};
