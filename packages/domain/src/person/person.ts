import type { TongbaoEvent } from "@tongbao/events";
import { type Decider, type DecisionContext, RefusalKind, unlessRefused } from "../decider.ts";
import { citiesRefusal, districtRefusal } from "../places.ts";

// 重点人员推送: any city may push a key person to the city where they live; the push names a district
// of that city, and every city it names is one of the metro. Nothing is read to decide it: the
// person is no city's, and each push stands on its own.

export type PersonType = "person.pushed";

export type PushAuthority = Record<string, never>;

const decide = (_state: PushAuthority, event: TongbaoEvent<PersonType>, context: DecisionContext) =>
  unlessRefused(
    citiesRefusal([event.data.targetCity, event.data.fromCity], context),
    districtRefusal(event.data.district, event.data.targetCity, context, RefusalKind.rule),
  );

export const personDecider: Decider<PushAuthority, PersonType> = {
  aggregate: "person",
  standing: true,
  types: ["person.pushed"],
  directed: true,
  initial: {},
  reads: () => [],
  decide,
  evolve: (state) => state,
};
