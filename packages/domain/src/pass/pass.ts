import type { TongbaoEvent } from "@tongbao/events";
import { accepted, type Decider, type DecisionContext, RefusalKind, refused } from "../decider.ts";

// 通行证互认: a pass id belongs to the city that issued it first; only that city revokes it, once.

export type PassType = "pass.issued" | "pass.revoked";
type PassEvent = TongbaoEvent<PassType>;

export interface PassAuthority {
  /** Null until the pass is issued. */
  readonly issuer: string | null;
  readonly revoked: boolean;
}

const decide = (state: PassAuthority, event: PassEvent, context: DecisionContext) => {
  const passId = event.subject;
  if (event.type === "pass.issued") {
    if (state.issuer !== null)
      return refused(RefusalKind.conflict, `pass ${passId} was already issued by ${state.issuer}`);
    const unknown = (event.data.validIn ?? []).filter((city) => context.metro?.hasCity(city) === false);
    if (unknown.length > 0)
      return refused(
        RefusalKind.unknown,
        `pass ${passId} names ${unknown.join(", ")}: no such city in the metro`,
      );
    return accepted;
  }
  if (state.issuer === null) return refused(RefusalKind.unknown, `pass ${passId} has not been issued`);
  if (state.issuer !== event.origin)
    return refused(
      RefusalKind.notYours,
      `pass ${passId} was issued by ${state.issuer}: only ${state.issuer} may revoke it`,
    );
  if (state.revoked) return refused(RefusalKind.conflict, `pass ${passId} is already revoked`);
  return accepted;
};

const evolve = (state: PassAuthority, event: PassEvent): PassAuthority =>
  event.type === "pass.issued" ? { issuer: event.origin, revoked: false } : { ...state, revoked: true };

export const passDecider: Decider<PassAuthority, PassType> = {
  aggregate: "pass",
  types: ["pass.issued", "pass.revoked"],
  directed: false,
  initial: { issuer: null, revoked: false },
  decide,
  evolve,
};
