import { decideOn, supplyDecider } from "@tongbao/domain";
import type { TongbaoEvent } from "@tongbao/events";
import type { ReadModel } from "../model.ts";

// 物资互济: requests and offers of scarce supplies, and what has been dispatched against them.
// Each is its own value; a request's offers and dispatches point at it by id.

interface Goods {
  readonly item: string;
  readonly description?: string;
  readonly quantity: number;
  readonly unit: string;
}

export type SupplyEntry =
  | (Goods & {
      readonly kind: "request";
      readonly id: string;
      readonly city: string;
      readonly neededBy: string;
    })
  | (Goods & {
      readonly kind: "offer";
      readonly id: string;
      readonly city: string;
      readonly availableFrom: string;
      readonly forRequest?: string;
    })
  | (Goods & {
      readonly kind: "dispatch";
      readonly id: string;
      readonly fromCity: string;
      readonly toCity: string;
      readonly expectedArrival: string;
      readonly forRequest?: string;
      readonly offer?: string;
    });

type SupplyEvent = TongbaoEvent<"supply.requested" | "supply.offered" | "supply.dispatched">;

const goodsOf = ({ item, description, quantity, unit }: Goods): Goods => ({
  item,
  ...(description === undefined ? {} : { description }),
  quantity,
  unit,
});

const entryOf = (event: SupplyEvent): SupplyEntry => {
  switch (event.type) {
    case "supply.requested":
      return {
        kind: "request",
        id: event.subject,
        city: event.origin,
        ...goodsOf(event.data),
        neededBy: event.data.neededBy,
      };
    case "supply.offered": {
      const { forRequest, availableFrom } = event.data;
      return {
        kind: "offer",
        id: event.subject,
        city: event.origin,
        ...goodsOf(event.data),
        availableFrom,
        ...(forRequest === undefined ? {} : { forRequest }),
      };
    }
    case "supply.dispatched": {
      const { fromCity, toCity, expectedArrival, forRequest, offer } = event.data;
      return {
        kind: "dispatch",
        id: event.subject,
        ...goodsOf(event.data),
        fromCity,
        toCity,
        expectedArrival,
        ...(forRequest === undefined ? {} : { forRequest }),
        ...(offer === undefined ? {} : { offer }),
      };
    }
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

const kindOf = (type: SupplyEvent["type"]) => type.slice("supply.".length);

export const suppliesModel: ReadModel<SupplyEntry, SupplyEvent> = {
  name: "supplies",
  bucket: "rm-supplies",
  streams: ["events"],
  types: ["supply.requested", "supply.offered", "supply.dispatched"],
  statuses: "actual",
  keyOf: (event) => `${kindOf(event.type)}.${event.origin}.${event.subject}`,
  // A request, offer or dispatch is published once; a later event with the same key restates it.
  // Keyed by origin, so a value is one city's; the decider refuses a dispatch from elsewhere.
  evolve: (state, event, meta) =>
    decideOn(supplyDecider, { state: {} }, event, meta.decisions).accepted ? entryOf(event) : state,
};
