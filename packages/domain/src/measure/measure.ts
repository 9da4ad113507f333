import type { TongbaoEvent } from "@tongbao/events";
import { type Decider, type DecisionContext, type Refusal, RefusalKind, unlessRefused } from "../decider.ts";
import { districtRefusal } from "../places.ts";

// 管控举措 and 交通联动: a city sets measures for itself. A measure id is its city's (two cities may
// use the same id for their own measures); its first event creates it, and every later one names the
// version it updates or cancels (data.revises), an event of the same measure by the same city — a
// correction says what it corrects. A traffic control lies in its own city, except a merge: a joint
// checkpoint (两地一站) across the border, which either city may announce.

export type MeasureType = "policy.changed" | "traffic.changed";
type MeasureEvent = TongbaoEvent<MeasureType>;

/** Per city, the ids of the measure's events so far. */
export type MeasureVersions = Readonly<Record<string, readonly string[]>>;

const revisionRefusal = (
  aggregate: string,
  state: MeasureVersions,
  event: MeasureEvent,
): Refusal | undefined => {
  const versions = state[event.origin] ?? [];
  const revises = event.data.revises;
  const what = `${aggregate} ${event.subject} of ${event.origin}`;
  if (revises === undefined)
    return versions.length === 0
      ? undefined
      : {
          kind: RefusalKind.rule,
          reason: `${what} already exists: a new version names the event it updates or cancels (data.revises)`,
        };
  return versions.includes(revises.eventId)
    ? undefined
    : { kind: RefusalKind.unknown, reason: `${what} has no event ${revises.eventId} to ${revises.kind}` };
};

const scopeRefusal = (aggregate: string, event: MeasureEvent, city: string): Refusal | undefined =>
  city === event.origin
    ? undefined
    : {
        kind: RefusalKind.notYours,
        reason: `${aggregate} ${event.subject} is about ${city}: ${event.origin} sets measures for itself only`,
      };

const decidePolicy = (
  state: MeasureVersions,
  event: TongbaoEvent<"policy.changed">,
  context: DecisionContext,
) => {
  const { city, districts = [] } = event.data.scope;
  return unlessRefused(
    scopeRefusal("policy", event, city),
    ...districts.map((d) => districtRefusal(d, city, context, RefusalKind.notYours)),
    revisionRefusal("policy", state, event),
  );
};

const decideTraffic = (
  state: MeasureVersions,
  event: TongbaoEvent<"traffic.changed">,
  context: DecisionContext,
) => {
  const { city, district } = event.data.location;
  const joint = event.data.action === "merge";
  return unlessRefused(
    joint ? undefined : scopeRefusal("traffic control", event, city),
    district === undefined ? undefined : districtRefusal(district, city, context, RefusalKind.rule),
    revisionRefusal("traffic control", state, event),
  );
};

const evolve = (state: MeasureVersions, event: MeasureEvent): MeasureVersions => ({
  ...state,
  [event.origin]: [...(state[event.origin] ?? []), event.id],
});

export const policyDecider: Decider<MeasureVersions, "policy.changed"> = {
  aggregate: "policy",
  types: ["policy.changed"],
  directed: false,
  initial: {},
  decide: decidePolicy,
  evolve,
};

export const trafficDecider: Decider<MeasureVersions, "traffic.changed"> = {
  aggregate: "traffic",
  types: ["traffic.changed"],
  directed: false,
  initial: {},
  decide: decideTraffic,
  evolve,
};
