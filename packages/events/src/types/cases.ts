import { z } from "zod";
import { defineEvent } from "../definition.ts";
import { cityId, count, date, dateTime, text, token } from "../formats.ts";

// 首接负责制: the reporting city owns a case; only the owner appends to it until it transfers it.

export const Classification = z.enum(["suspected", "confirmed", "asymptomatic"]);
export type Classification = z.infer<typeof Classification>;

const Visit = z.strictObject({
  city: cityId,
  /** District id when known, e.g. "hangzhou-xiaoshan". */
  district: token.optional(),
  from: date,
  until: date.optional(),
});

const CloseContacts = z.strictObject({
  /** The city where these close contacts live: it will have to trace them. */
  cityOfResidence: cityId,
  count,
});

export const caseReported = defineEvent({
  type: "case.reported",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "caseId",
  summary:
    "A city reports a confirmed, suspected or asymptomatic case (一地发现、多地通报). No personal data.",
  data: z.strictObject({
    classification: Classification,
    /** District that reported the case. */
    district: token,
    /** Absent for asymptomatic cases. */
    onsetDate: date.optional(),
    diagnosedAt: dateTime,
    /** Cities and districts visited in the 14 days before onset or diagnosis. */
    exposure: z.array(Visit).max(200, "must list at most 200 visits"),
    closeContacts: z.array(CloseContacts).max(100, "must list at most 100 cities"),
    /** Hospital name only. */
    hospital: text(200),
  }),
});

export const caseReclassified = defineEvent({
  type: "case.reclassified",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "caseId",
  summary: "The owning city changes a case's classification, e.g. suspected → confirmed or excluded.",
  data: z
    .strictObject({
      from: Classification,
      to: z.enum(["suspected", "confirmed", "asymptomatic", "excluded"]),
      at: dateTime,
      reason: text(500),
    })
    .refine((d) => d.from !== d.to, { message: "must differ from `from`", path: ["to"] }),
});

export const caseClosed = defineEvent({
  type: "case.closed",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "caseId",
  summary: "The owning city closes a case: discharged, deceased or excluded.",
  data: z.strictObject({
    outcome: z.enum(["discharged", "deceased", "excluded"]),
    at: dateTime,
  }),
});

export const caseTransferred = defineEvent({
  type: "case.transferred",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "caseId",
  summary:
    "The owning city hands a case to another city, e.g. the patient moved to a designated hospital there.",
  data: z.strictObject({
    newOwner: cityId,
    reason: text(500),
    at: dateTime,
  }),
});
