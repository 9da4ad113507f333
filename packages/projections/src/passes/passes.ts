import type { TongbaoEvent } from "@tongbao/events";
import type { ReadModel } from "../model.ts";

// 通行证互认: a pass issued by one city that checkpoints everywhere in the metro accept, until it
// expires or its issuing city revokes it. Holder and plate stay out: a checkpoint needs neither.

export interface Revocation {
  readonly at: string;
  readonly reason: string;
  readonly by: string;
}

export interface PassState {
  readonly passId: string;
  readonly issuedBy?: string;
  readonly kind?: string;
  readonly validFrom?: string;
  readonly validUntil?: string;
  /** Absent in the event means the whole metro. */
  readonly validIn?: readonly string[] | "metro";
  readonly conditions?: readonly string[];
  readonly revocation?: Revocation;
}

type PassEvent = TongbaoEvent<"pass.issued" | "pass.revoked">;

const evolve = (state: PassState | undefined, event: PassEvent): PassState | undefined => {
  switch (event.type) {
    case "pass.issued": {
      if (state?.issuedBy !== undefined) return state; // a pass id is issued once
      const { kind, validFrom, validUntil, validIn, conditions } = event.data;
      return {
        ...state,
        passId: event.subject,
        issuedBy: event.origin,
        kind,
        validFrom,
        validUntil,
        validIn: validIn ?? "metro",
        ...(conditions === undefined ? {} : { conditions }),
      };
    }
    case "pass.revoked": {
      if (state?.revocation !== undefined) return state; // the first revocation stands
      const revocation = { at: event.data.at, reason: event.data.reason, by: event.origin };
      return { ...(state ?? { passId: event.subject }), revocation };
    }
    default: {
      const unexpected: never = event;
      return unexpected;
    }
  }
};

export const passesModel: ReadModel<PassState, PassEvent> = {
  name: "passes",
  bucket: "rm-passes",
  streams: ["events"],
  types: ["pass.issued", "pass.revoked"],
  statuses: "actual",
  keyOf: (event) => event.subject,
  evolve,
};

export type PassStatus = "valid" | "revoked" | "expired" | "not-yet-valid" | "unknown" | "not-valid-here";

export interface PassCheck {
  readonly passId: string;
  readonly status: PassStatus;
  readonly kind?: string;
  readonly issuedBy?: string;
  readonly validFrom?: string;
  readonly validUntil?: string;
  readonly validIn?: string[] | "metro";
  readonly conditions?: string[];
  readonly revokedAt?: string;
  readonly reason?: string;
}

/** Only the issuing city may revoke a pass; a revocation from any other city is not honoured. */
const revocationOf = (pass: PassState) =>
  pass.revocation !== undefined && pass.revocation.by === pass.issuedBy ? pass.revocation : undefined;

/**
 * What a checkpoint in `city` should do with the pass at `atMs`: valid when validFrom ≤ at <
 * validUntil and not revoked at or before `at`.
 */
export const checkPassAt = (
  passId: string,
  pass: PassState | undefined,
  atMs: number,
  city?: string,
): PassCheck => {
  if (pass?.issuedBy === undefined || pass.validFrom === undefined || pass.validUntil === undefined)
    return { passId, status: "unknown" };
  const revocation = revocationOf(pass);
  const details = {
    passId,
    issuedBy: pass.issuedBy,
    ...(pass.kind === undefined ? {} : { kind: pass.kind }),
    validFrom: pass.validFrom,
    validUntil: pass.validUntil,
    validIn: pass.validIn === undefined || pass.validIn === "metro" ? ("metro" as const) : [...pass.validIn],
    ...(pass.conditions === undefined ? {} : { conditions: [...pass.conditions] }),
  };
  if (revocation !== undefined && Date.parse(revocation.at) <= atMs)
    return { ...details, status: "revoked", revokedAt: revocation.at, reason: revocation.reason };
  if (atMs < Date.parse(pass.validFrom)) return { ...details, status: "not-yet-valid" };
  if (atMs >= Date.parse(pass.validUntil)) return { ...details, status: "expired" };
  if (city !== undefined && details.validIn !== "metro" && !details.validIn.includes(city))
    return { ...details, status: "not-valid-here" };
  return { ...details, status: "valid" };
};
