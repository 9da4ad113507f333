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
  return {
    ...example,
    subject: key,
    ...attributes,
    data: { ...example.data, ...data },
  };
};
