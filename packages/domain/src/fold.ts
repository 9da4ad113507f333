import type { EventType, TongbaoEvent } from "@tongbao/events";
import {
  type AggregateState,
  type AnyDecider,
  type Decider,
  type Decision,
  type DecisionContext,
  type Refusal,
  RefusalKind,
  refused,
} from "./decider.ts";

/**
 * Decides one event against the aggregate's state. Besides the decider's own rules, drills and tests
 * never act on real aggregates, nor real events on a drill's: an aggregate keeps the status of the
 * event that created it.
 */
export const decideOn = <S, T extends EventType>(
  decider: Decider<S, T>,
  current: AggregateState<S>,
  event: TongbaoEvent,
  context: DecisionContext = {},
): Decision => {
  if (current.status !== undefined && current.status !== event.status) {
    const what = current.status === "actual" ? "a real" : `an ${current.status}`;
    return refused(
      RefusalKind.rule,
      `${event.type} ${event.id} is ${event.status === "actual" ? "real" : `${event.status}`} traffic and ${decider.aggregate} ${event.subject} is ${what} ${decider.aggregate}: drills and real events never act on each other's aggregates`,
    );
  }
  if (!isOf(decider, event)) {
    return refused(RefusalKind.rule, `${event.type} does not act on a ${decider.aggregate}`);
  }
  return decider.decide(current.state, event, context);
};

const isOf = <T extends EventType>(
  decider: Decider<unknown, T>,
  event: TongbaoEvent,
): event is TongbaoEvent<T> => (decider.types as readonly string[]).includes(event.type);

/** The state after an event the decider accepted. */
export const applyTo = <S, T extends EventType>(
  decider: Decider<S, T>,
  current: AggregateState<S>,
  event: TongbaoEvent<T>,
): AggregateState<S> => ({
  state: decider.evolve(current.state, event),
  ...(decider.standing !== true && { status: current.status ?? event.status }),
});

export interface Folded<S> extends AggregateState<S> {
  /** The events the decider refused, in log order, with why: what a reader flags and ignores. */
  readonly refused: readonly { readonly event: TongbaoEvent; readonly refusal: Refusal }[];
}

/** The aggregate's state from its events in log order, folding only what its decider accepts. */
export const foldAggregate = <S, T extends EventType>(
  decider: Decider<S, T>,
  events: Iterable<TongbaoEvent>,
  context: DecisionContext = {},
): Folded<S> => {
  let current: AggregateState<S> = { state: decider.initial };
  const refusedEvents: { event: TongbaoEvent; refusal: Refusal }[] = [];
  for (const event of events) {
    const decision = decideOn(decider, current, event, context);
    if (decision.accepted) current = applyTo(decider, current, event as TongbaoEvent<T>);
    else refusedEvents.push({ event, refusal: decision.refusal });
  }
  return { ...current, refused: refusedEvents };
};

/** The decider of an event type, or undefined for a type that acts on no aggregate with rules. */
export const deciderFor = (deciders: readonly AnyDecider[], type: string): AnyDecider | undefined =>
  deciders.find((decider) => decider.types.includes(type));
