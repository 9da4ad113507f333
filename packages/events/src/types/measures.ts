import { z } from "zod";
import { defineEvent } from "../definition.ts";
import { cityId, count, dateTime, text, token } from "../formats.ts";

// Measures are broadcast and keyed by the measure's id. A later event with the same key updates the
// measure; `revises` names the earlier event it updates or cancels, so read models follow the chain.

const Revises = z.strictObject({
  eventId: token,
  kind: z.enum(["update", "cancel"]),
});

export const PolicyDomain = z.enum([
  "work",
  "production",
  "school",
  "business",
  "quarantine",
  "gathering",
  "transport-charter",
]);

export const policyChanged = defineEvent({
  type: "policy.changed",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "policyId",
  summary: "重大疫情管控举措: a city suspends, resumes, restricts or requires something, from a date.",
  data: z
    .strictObject({
      domain: PolicyDomain,
      action: z.enum(["suspend", "resume", "restrict", "require"]),
      scope: z.strictObject({
        city: cityId,
        /** Absent means the whole city. */
        districts: z.array(token).min(1, "must name at least one district, or be left out").optional(),
      }),
      effectiveFrom: dateTime,
      effectiveUntil: dateTime.optional(),
      summary: text(1000),
      /** The official document, e.g. "沪府规〔2020〕3号". */
      documentRef: text(200).optional(),
      revises: Revises.optional(),
    })
    .refine(
      (d) => d.effectiveUntil === undefined || Date.parse(d.effectiveUntil) > Date.parse(d.effectiveFrom),
      {
        message: "must be later than effectiveFrom",
        path: ["effectiveUntil"],
      },
    ),
});

const Hours = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$/, "must be HH:MM-HH:MM");

export const trafficChanged = defineEvent({
  type: "traffic.changed",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "checkpointId",
  summary:
    "交通联动: a checkpoint, road, bus line or green channel opens, closes, merges, is restricted or resumes.",
  data: z
    .strictObject({
      what: z.enum(["checkpoint", "road", "bus-line", "green-channel"]),
      action: z.enum(["open", "close", "merge", "restrict", "resume"]),
      /** The checkpoint this one merges into (两地一站), when the action is merge. */
      mergeInto: token.optional(),
      appliesTo: z.enum(["passenger", "freight", "commuter", "all"]),
      location: z.strictObject({
        city: cityId,
        district: token.optional(),
        description: text(300),
      }),
      hours: Hours.optional(),
      /** For bus lines: runs per day. */
      runsPerDay: count.optional(),
      effectiveFrom: dateTime,
      revises: Revises.optional(),
    })
    .refine((d) => d.action !== "merge" || d.mergeInto !== undefined, {
      message: "is required when the action is merge",
      path: ["mergeInto"],
    }),
});

export const RiskLevel = z.enum(["low-3", "low-2", "low-1", "medium-2", "medium-1", "high"]);
export type RiskLevel = z.infer<typeof RiskLevel>;

const riskChangedHeader = {
  type: "risk.changed",
  audience: "broadcast",
  publisher: "city",
  key: "districtId",
  summary: "分区分级: a district's risk level (low-3 … high) and the differentiated controls that follow.",
} as const;

export const riskChangedV1 = defineEvent({
  ...riskChangedHeader,
  version: 1,
  data: z.strictObject({
    level: RiskLevel,
    effectiveFrom: dateTime,
    /** Free text: version 1 carried the measures as one summary. */
    measures: text(1000),
  }),
});

/** Version 2 lists the measures one by one and says which level the district came from. */
export const riskChanged = defineEvent({
  ...riskChangedHeader,
  version: 2,
  data: z.strictObject({
    level: RiskLevel,
    previousLevel: RiskLevel.optional(),
    effectiveFrom: dateTime,
    measures: z.array(text(300)).max(50, "must list at most 50 measures"),
  }),
});
