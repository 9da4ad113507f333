import type { TongbaoEvent } from "@tongbao/events";
import type { ReadModel } from "../model.ts";
import { dayOf } from "../moment.ts";

// The daily figures a health commission announces, per city: new cases reported that day by
// classification, reclassifications (e.g. 新增确诊 includes suspected → confirmed), and closures.
// The city is the one that published (the owner at the time); the day is the local date the
// publisher wrote in the diagnosis, reclassification or closure time.

export type Tally = { readonly [what: string]: number };

export interface CasesOfDay {
  readonly city: string;
  readonly day: string;
  readonly reported: Tally;
  readonly reclassifiedTo: Tally;
  readonly closed: Tally;
}

type CaseEvent = TongbaoEvent<"case.reported" | "case.reclassified" | "case.closed">;

const counted = (tally: Tally, what: string): Tally => ({ ...tally, [what]: (tally[what] ?? 0) + 1 });

const dayKeyOf = (event: CaseEvent): { city: string; day: string } => {
  switch (event.type) {
    case "case.reported":
      return { city: event.origin, day: dayOf(event.data.diagnosedAt) };
    case "case.reclassified":
    case "case.closed":
      return { city: event.origin, day: dayOf(event.data.at) };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

const evolve = (state: CasesOfDay | undefined, event: CaseEvent): CasesOfDay => {
  const day = state ?? { ...dayKeyOf(event), reported: {}, reclassifiedTo: {}, closed: {} };
  switch (event.type) {
    case "case.reported":
      return { ...day, reported: counted(day.reported, event.data.classification) };
    case "case.reclassified":
      return { ...day, reclassifiedTo: counted(day.reclassifiedTo, event.data.to) };
    case "case.closed":
      return { ...day, closed: counted(day.closed, event.data.outcome) };
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

export const casesDailyModel: ReadModel<CasesOfDay, CaseEvent> = {
  name: "cases-daily",
  bucket: "rm-cases-daily",
  streams: ["events"],
  types: ["case.reported", "case.reclassified", "case.closed"],
  statuses: "actual",
  keyOf: (event) => {
    const { city, day } = dayKeyOf(event);
    return `${city}.${day}`;
  },
  evolve,
};
