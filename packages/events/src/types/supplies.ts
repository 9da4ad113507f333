import { z } from "zod";
import { defineEvent } from "../definition.ts";
import { cityId, dateTime, quantity, text, token } from "../formats.ts";

// 物资互济: scarce supplies requested, offered and dispatched between cities.

export const SupplyItem = z.enum([
  "masks-n95",
  "masks-surgical",
  "gloves",
  "protective-suits",
  "goggles",
  "disinfectant",
  "thermometers",
  "test-kits",
  "ventilators",
  "grain",
  "pork",
  "vegetables",
  "other",
]);

export const SupplyUnit = z.enum(["pieces", "boxes", "kg", "tonnes", "litres", "units"]);

const Goods = {
  item: SupplyItem,
  /** Required when the item is "other". */
  description: text(200).optional(),
  quantity,
  unit: SupplyUnit,
};

const describedWhenOther = <T extends { item: string; description?: string | undefined }>(d: T) =>
  d.item !== "other" || d.description !== undefined;
const describeOther = { message: "is required when the item is other", path: ["description"] };

export const supplyRequested = defineEvent({
  type: "supply.requested",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "requestId",
  summary: "A city asks its neighbours for scarce supplies, by a date.",
  data: z
    .strictObject({
      ...Goods,
      neededBy: dateTime,
      deliverTo: z.strictObject({ city: cityId, district: token.optional() }).optional(),
    })
    .refine(describedWhenOther, describeOther),
});

export const supplyOffered = defineEvent({
  type: "supply.offered",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "offerId",
  summary: "A city offers supplies it can spare, optionally in answer to a request.",
  data: z
    .strictObject({
      ...Goods,
      availableFrom: dateTime,
      forRequest: token.optional(),
    })
    .refine(describedWhenOther, describeOther),
});

export const supplyDispatched = defineEvent({
  type: "supply.dispatched",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "dispatchId",
  summary: "Supplies are on their way from one city to another.",
  data: z
    .strictObject({
      ...Goods,
      fromCity: cityId,
      toCity: cityId,
      /** The green-channel or freight pass of the vehicle. */
      vehiclePass: token.optional(),
      expectedArrival: dateTime,
      forRequest: token.optional(),
      offer: token.optional(),
    })
    .refine(describedWhenOther, describeOther)
    .refine((d) => d.fromCity !== d.toCity, { message: "must differ from fromCity", path: ["toCity"] }),
});
