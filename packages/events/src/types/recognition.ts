import { z } from "zod";
import { defineEvent } from "../definition.ts";
import { cityId, date, dateTime, pseudonym, sha256Hex, text, token } from "../formats.ts";

// 互认: what one city issues, every city recognises — isolation releases and passes.

export const isolationReleased = defineEvent({
  type: "isolation.released",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "personRef",
  summary: "解除告知单: a person's isolation ended; every city recognises it, so nobody is isolated twice.",
  data: z.strictObject({
    releasedAt: dateTime,
    isolationStart: date,
    placeKind: z.enum(["home", "centralised"]),
    issuingDistrict: token,
  }),
});

export const PassKind = z.enum(["commuter", "freight", "green-channel", "two-letters-one-pass"]);

export const passIssued = defineEvent({
  type: "pass.issued",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "passId",
  summary:
    "A pass (工作通勤证, 货通证, green channel, 两书一证) that checkpoints anywhere in the metro accept.",
  data: z
    .strictObject({
      kind: PassKind,
      holderRef: pseudonym,
      plateHash: sha256Hex.optional(),
      employer: text(200).optional(),
      validFrom: dateTime,
      validUntil: dateTime,
      /** Cities where the pass is valid; absent means the whole metro (一方核准、全域通行). */
      validIn: z
        .array(cityId)
        .min(1, "must name at least one city, or be left out for the whole metro")
        .optional(),
      /** Conditions at the checkpoint, e.g. "temperature-check". */
      conditions: z.array(text(100)).max(20, "must list at most 20 conditions").optional(),
    })
    .refine((d) => Date.parse(d.validUntil) > Date.parse(d.validFrom), {
      message: "must be later than validFrom",
      path: ["validUntil"],
    }),
});

export const passRevoked = defineEvent({
  type: "pass.revoked",
  version: 1,
  audience: "broadcast",
  publisher: "city",
  key: "passId",
  summary: "The issuing city revokes a pass; checkpoints everywhere refuse it from `at` on.",
  data: z.strictObject({
    reason: text(500),
    at: dateTime,
  }),
});
