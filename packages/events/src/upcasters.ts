import type { z } from "zod";
import type { riskChangedV1 } from "./types/measures.ts";

/** Turns one stored version of a type's data into the next. Old versions stay readable forever. */
export interface Upcaster {
  readonly type: string;
  readonly from: number;
  /** Receives data already valid for version `from`; returns data for version `from + 1`. */
  readonly upcast: (data: never) => unknown;
}

const riskChangedV1ToV2 = {
  type: "risk.changed",
  from: 1,
  // Version 1 carried the measures as one text; cities wrote them separated by semicolons or lines.
  upcast: (data: z.output<typeof riskChangedV1.data>) => ({
    level: data.level,
    effectiveFrom: data.effectiveFrom,
    measures: data.measures
      .split(/[;；\n]/)
      .map((measure) => measure.trim())
      .filter((measure) => measure.length > 0),
  }),
} as const satisfies Upcaster;

const upcasters: readonly Upcaster[] = [riskChangedV1ToV2];

export const upcasterFor = (type: string, from: number): Upcaster | undefined =>
  upcasters.find((u) => u.type === type && u.from === from);
