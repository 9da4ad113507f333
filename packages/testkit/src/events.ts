import { type DataOf, type EventInput, type EventType, examples } from "@tongbao/events";

let counter = 0;

/** A fresh aggregate key, so that tests sharing a server never touch each other's aggregates. */
export const uniqueKey = (prefix = "K"): string =>
  `${prefix}-${process.pid}-${Date.now().toString(36)}-${++counter}`;

export type EventOverrides<T extends EventType> = Partial<Omit<EventInput, "data">> & {
  readonly data?: Partial<DataOf<T>>;
};

/**
 * A valid event of `type`, from the catalog's example, with a fresh key unless one is given. `data`
 * overrides are merged into the example's data.
 */
export const eventOf = <T extends EventType>(type: T, overrides: EventOverrides<T> = {}): EventInput => {
  const example = examples[type];
  const { data, ...attributes } = overrides;
  // A district is its city's: its id starts with the city's (the risk decider holds to it).
  const key =
    type === "risk.changed"
      ? `${attributes.origin ?? example.origin}-${uniqueKey("d")}`
      : uniqueKey(type.replace(".", "-"));
  const event: EventInput = {
    ...example,
    subject: key,
    ...attributes,
    data: {
      ...example.data,
      ...ownPlace(type, attributes.origin as string | undefined),
      ...targetPlace(type, data as Record<string, unknown> | undefined),
      ...data,
    },
  };
  return withoutDanglingReferences(type, event, data as Record<string, unknown> | undefined);
};

/**
 * The examples' offers and dispatches name a request (and an offer) of the February 2020 scenario:
 * a reference must name something stored (the supply decider), so it is left out unless given.
 */
const withoutDanglingReferences = (
  type: EventType,
  event: EventInput,
  data: Record<string, unknown> | undefined,
): EventInput => {
  if (type !== "supply.offered" && type !== "supply.dispatched") return event;
  const { forRequest, offer, ...rest } = event.data as Record<string, unknown>;
  return {
    ...event,
    data: {
      ...rest,
      ...(data?.forRequest !== undefined && { forRequest }),
      ...(data?.offer !== undefined && { offer }),
    },
  };
};

/** A directed message names districts of its target (the deciders hold to it): moved with it. */
const targetPlace = (type: EventType, data: Record<string, unknown> | undefined) => {
  const target = data?.targetCity;
  if (typeof target !== "string" || target === (examples[type].data as { targetCity?: string }).targetCity)
    return {};
  if (type === "trace.requested" && data?.contacts === undefined)
    return {
      contacts: examples["trace.requested"].data.contacts.map((c) => ({
        ...c,
        district: `${target}-centre`,
      })),
    };
  if (type === "person.pushed" && data?.district === undefined) return { district: `${target}-centre` };
  return {};
};

/** A city sets measures for itself (the measure deciders hold to it): the example's place, moved. */
const ownPlace = (type: EventType, origin: string | undefined) => {
  if (origin === undefined || origin === examples[type].origin) return {};
  if (type === "policy.changed") return { scope: { city: origin } };
  if (type === "traffic.changed")
    return { location: { city: origin, description: "a checkpoint of the city's own" } };
  return {};
};
