import {
  type Decider,
  type DecisionContext,
  decideOn,
  foldAggregate,
  type RefusalKind,
} from "@tongbao/domain";
import { type EventInput, type EventType, prepareEvent, type TongbaoEvent } from "@tongbao/events";
import { expect } from "vitest";

// A stored event may not have passed the publisher's checks (a raw NATS client): such events are
// given complete, with `specversion`, and used as they are.
const asEvent = (input: EventInput | TongbaoEvent): TongbaoEvent =>
  "specversion" in input ? (input as TongbaoEvent) : prepareEvent(input as EventInput);

/** given(events).when(event).then(accepted or refused): a decider's rules as its users see them. */
export const given = <S, T extends EventType>(
  decider: Decider<S, T>,
  history: readonly (EventInput | TongbaoEvent)[],
  context: DecisionContext = {},
) => ({
  when: (input: EventInput | TongbaoEvent) => {
    const folded = foldAggregate(decider, history.map(asEvent), context);
    const decision = decideOn(decider, folded, asEvent(input), context);
    return {
      accepted: () => expect(decision).toEqual({ accepted: true }),
      refused: (kind: RefusalKind, reason: RegExp) => {
        expect(decision.accepted).toBe(false);
        if (!decision.accepted) {
          expect(decision.refusal.kind).toBe(kind);
          expect(decision.refusal.reason).toMatch(reason);
        }
      },
    };
  },
  state: () => foldAggregate(decider, history.map(asEvent), context),
});
