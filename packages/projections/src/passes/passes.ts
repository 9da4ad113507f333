import { decideOn, passDecider } from "@tongbao/domain";
import type { TongbaoEvent } from "@tongbao/events";
import type { Meta, ReadModel } from "../model.ts";

// 通行证互认: a pass issued by one city that checkpoints everywhere in the metro accept, until it
// expires or its issuing city revokes it. Holder and plate stay out: a checkpoint needs neither.
// The pass's decider says who may (at publish and here again): a revocation by another city, or a
// second issue of the same id, stored by a raw client under its own name, changes nothing here.

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

const evolve = (state: PassState | undefined, event: PassEvent, meta?: Meta): PassState | undefined => {
  // Only actual events are folded here, so a pass that exists is an actual one.
  const authority = { issuer: state?.issuedBy ?? null, revoked: state?.revocation !== undefined };
  const decided = decideOn(
    passDecider,
    { state: authority, ...(state && { status: "actual" as const }) },
    event,
    meta?.decisions,
  );
  if (!decided.accepted) return state;
  switch (event.type) {
    case "pass.issued": {
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
  const revocation = pass.revocation;
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
