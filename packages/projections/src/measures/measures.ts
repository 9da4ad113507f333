import { decideOn, policyDecider, trafficDecider } from "@tongbao/domain";
import type { DataOf, TongbaoEvent } from "@tongbao/events";
import type { Meta, ReadModel } from "../model.ts";

// 管控举措 and 交通联动: policies and traffic controls. A measure is its key (policy id, checkpoint or
// line id) within its city; a later event with the same key is a new version of it, and
// `data.revises` says which earlier version it updates or cancels (the measure deciders require it,
// here again: a version that breaks their rules, stored by a raw client, is left out).
//
// In force at a moment: of the versions already effective then, the one with the latest
// effectiveFrom (of two equal, the later published), leaving out every version that a version
// already effective then revises. So a late publication with an earlier effective time takes its
// place in time and does not override a later-effective one; a correction replaces what it names
// from its own effective time on — and entirely, when it is effective from before what it corrects.

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

/** Whether the measure's decider accepts the event, given the versions kept (one city's). */
const lawful = (state: MeasureState | undefined, event: MeasureEvent, meta?: Meta): boolean => {
  const authority = {
    state: state === undefined ? {} : { [state.origin]: state.versions.map((v) => v.eventId) },
  };
  return event.type === "policy.changed"
    ? decideOn(policyDecider, authority, event, meta?.decisions).accepted
    : decideOn(trafficDecider, authority, event, meta?.decisions).accepted;
};

const evolve = (
  state: MeasureState | undefined,
  event: MeasureEvent,
  meta?: Meta,
): MeasureState | undefined =>
  lawful(state, event, meta)
    ? {
        kind: kindOf(event),
        measureId: event.subject,
        origin: event.origin,
        versions: [...(state?.versions ?? []), versionOf(event)].slice(-KEPT_VERSIONS),
      }
    : state;

export const measuresModel: ReadModel<MeasureState, MeasureEvent> = {
  name: "measures",
  bucket: "rm-measures",
  streams: ["events"],
  types: ["policy.changed", "traffic.changed"],
  statuses: "actual",
  keyOf: (event) => `${kindOf(event)}.${event.origin}.${event.subject}`,
  evolve,
};

/** The versions `version` revises, one after another back to the first: oldest first. */
const chainOf = (state: MeasureState, version: MeasureVersion): string[] => {
  const chain: string[] = [];
  for (let v: MeasureVersion | undefined = version; v?.revises !== undefined; ) {
    const revises: string = v.revises;
    if (chain.includes(revises)) break;
    chain.unshift(revises);
    v = state.versions.find((earlier) => earlier.eventId === revises);
  }
  return chain;
};

/** The measure as in force at `atMs`, or undefined when it is not (yet, or any more, or cancelled). */
export const measureAt = (state: MeasureState, atMs: number): Measure | undefined => {
  const started = state.versions
    .map((version, published) => ({ version, published, from: Date.parse(version.effectiveFrom) }))
    .filter(({ from }) => from <= atMs);
  const revised = new Set(
    started.flatMap(({ version }) => (version.revises === undefined ? [] : [version.revises])),
  );
  const effective = started
    .filter(({ version }) => !revised.has(version.eventId))
    .sort((a, b) => a.from - b.from || a.published - b.published)
    .map(({ version }) => version);
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
    supersedes: chainOf(state, current),
    details: current.details,
  };
};
