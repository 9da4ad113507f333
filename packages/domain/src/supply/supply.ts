import type { TongbaoEvent } from "@tongbao/events";
import { type Decider, type DecisionContext, type Refusal, RefusalKind, unlessRefused } from "../decider.ts";
import { citiesRefusal, districtRefusal } from "../places.ts";

// 物资互济: a request, an offer or a dispatch is its own city's: ids are unique per city, so two
// cities' supplies of the same id are two (as the supplies read model keys them). A dispatch is the
// sending city's word; every city and district named is one of the metro; an offer or a dispatch
// for a request (or an offer) names one some city made — read at publish, the last event on its
// subjects. A fold that reads no references (one value per key) leaves them unchecked.

export type SupplyType = "supply.requested" | "supply.offered" | "supply.dispatched";
type SupplyEvent = TongbaoEvent<SupplyType>;

export interface SupplyAuthority {
  /** The requests and offers read, as `requested:<id>` / `offered:<id>`; undefined when none were read. */
  readonly seen?: readonly string[];
}

type Reference = { readonly kind: "requested" | "offered"; readonly id: string };

const referencesOf = (event: SupplyEvent): Reference[] => {
  switch (event.type) {
    case "supply.requested":
      return [];
    case "supply.offered":
      return event.data.forRequest === undefined ? [] : [{ kind: "requested", id: event.data.forRequest }];
    case "supply.dispatched":
      return [
        ...(event.data.forRequest === undefined
          ? []
          : [{ kind: "requested" as const, id: event.data.forRequest }]),
        ...(event.data.offer === undefined ? [] : [{ kind: "offered" as const, id: event.data.offer }]),
      ];
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

const referenceRefusal = (state: SupplyAuthority, event: SupplyEvent): Refusal | undefined => {
  const seen = state.seen;
  if (seen === undefined) return undefined;
  const missing = referencesOf(event).find(({ kind, id }) => !seen.includes(`${kind}:${id}`));
  return missing === undefined
    ? undefined
    : {
        kind: RefusalKind.unknown,
        reason: `${event.type} ${event.subject} names supply ${missing.kind === "requested" ? "request" : "offer"} ${missing.id}, which no city made`,
      };
};

const placesRefusal = (event: SupplyEvent, context: DecisionContext): Refusal | undefined => {
  switch (event.type) {
    case "supply.requested": {
      const to = event.data.deliverTo;
      if (to === undefined) return undefined;
      return (
        citiesRefusal([to.city], context) ??
        (to.district === undefined
          ? undefined
          : districtRefusal(to.district, to.city, context, RefusalKind.rule))
      );
    }
    case "supply.offered":
      return undefined;
    case "supply.dispatched":
      return event.data.fromCity === event.origin
        ? citiesRefusal([event.data.toCity], context)
        : {
            kind: RefusalKind.notYours,
            reason: `dispatch ${event.subject} leaves ${event.data.fromCity}: only ${event.data.fromCity} says what it sends`,
          };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

const decide = (state: SupplyAuthority, event: SupplyEvent, context: DecisionContext) =>
  unlessRefused(placesRefusal(event, context), referenceRefusal(state, event));

export const supplyDecider: Decider<SupplyAuthority, SupplyType> = {
  aggregate: "supply",
  types: ["supply.requested", "supply.offered", "supply.dispatched"],
  directed: false,
  standing: true,
  initial: { seen: [] },
  reads: (event) => referencesOf(event).map(({ kind, id }) => `evt.*.supply.${kind}.${id}`),
  decide,
  evolve: (state, event) =>
    event.type === "supply.dispatched"
      ? state
      : { seen: [...(state.seen ?? []), `${event.type.slice("supply.".length)}:${event.subject}`] },
};
