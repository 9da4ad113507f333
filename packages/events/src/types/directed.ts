import { z } from "zod";
import { defineEvent } from "../definition.ts";
import { cityId, date, dateTime, pseudonym, sha256Hex, text, token } from "../formats.ts";

// Directed messages are read only by their target city and their origin, and expire with the DIRECT
// stream's max age. They are the only events that may carry a person's contact details.

/** Contact details for the one city that must reach the person. Never in a broadcast, never logged. */
const ContactDetails = z.strictObject({
  name: text(100).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 -]{5,20}$/, "must be a phone number of 5-20 digits")
    .optional(),
  address: text(300).optional(),
});

const TracedContact = z.strictObject({
  contactRef: pseudonym,
  /** District of residence in the target city, e.g. "shaoxing-zhuji". */
  district: token,
  lastContactAt: dateTime,
  phoneHash: sha256Hex.optional(),
  details: ContactDetails.optional(),
});

export const traceRequested = defineEvent({
  type: "trace.requested",
  version: 1,
  audience: "directed",
  publisher: "city",
  key: "requestId",
  summary: "协查函: one city asks another to trace close contacts who live or went there, by a due time.",
  data: z.strictObject({
    targetCity: cityId,
    caseId: token,
    contacts: z
      .array(TracedContact)
      .min(1, "must list at least one contact")
      .max(1000, "must list at most 1000 contacts"),
    dueBy: dateTime,
  }),
});

export const TraceOutcome = z.enum(["located", "quarantined", "not-found", "moved-on"]);

const TraceAnswer = z
  .strictObject({
    contactRef: pseudonym,
    outcome: TraceOutcome,
    /** Where the contact went, when the outcome is moved-on. */
    movedTo: cityId.optional(),
    note: text(500).optional(),
  })
  .refine((a) => a.outcome !== "moved-on" || a.movedTo !== undefined, {
    message: "is required when the outcome is moved-on",
    path: ["movedTo"],
  });

export const traceAnswered = defineEvent({
  type: "trace.answered",
  version: 1,
  audience: "directed",
  publisher: "city",
  key: "requestId",
  summary: "The target city answers a trace request, per contact; sent back to the requesting city only.",
  data: z.strictObject({
    /** The city that asked: the answer is directed to it. */
    targetCity: cityId,
    answers: z.array(TraceAnswer).min(1, "must answer at least one contact"),
    answeredAt: dateTime,
  }),
});

export const personPushed = defineEvent({
  type: "person.pushed",
  version: 1,
  audience: "directed",
  publisher: "city",
  key: "personRef",
  summary: "重点人员推送: a key person pushed to the district and community of residence in another city.",
  data: z.strictObject({
    targetCity: cityId,
    district: token,
    community: text(200).optional(),
    reason: z.enum([
      "arrival-from-risk-area",
      "close-contact",
      "secondary-contact",
      "released-from-isolation",
    ]),
    fromCity: cityId.optional(),
    arrivalAt: dateTime,
    observeUntil: date,
    details: ContactDetails.optional(),
  }),
});
