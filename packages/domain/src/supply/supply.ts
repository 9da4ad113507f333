import type { TongbaoEvent } from "@tongbao/events";
import { type Decider, type DecisionContext, type Refusal, RefusalKind, unlessRefused } from "../decider.ts";
import { citiesRefusal, districtRefusal } from "../places.ts";

// 物资互济: a request, an offer or a dispatch is its own city's: ids are unique per city, so two
// cities' supplies of the same id are two (as the supplies read model keys them), and nothing is read
// to decide. A dispatch is the sending city's word; every city and district named is one of the metro.

export type SupplyType = "supply.requested" | "supply.offered" | "supply.dispatched";
type SupplyEvent = TongbaoEvent<SupplyType>;

export type SupplyAuthority = Record<string, never>;

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

const decide = (_state: SupplyAuthority, event: SupplyEvent, context: DecisionContext) =>
  unlessRefused(placesRefusal(event, context));

export const supplyDecider: Decider<SupplyAuthority, SupplyType> = {
  aggregate: "supply",
  types: ["supply.requested", "supply.offered", "supply.dispatched"],
  directed: false,
  standing: true,
  initial: {},
  reads: () => [],
  decide,
  evolve: (state) => state,
};
