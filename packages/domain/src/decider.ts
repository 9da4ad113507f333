import type { EventStatus, EventType, TongbaoEvent } from "@tongbao/events";

// Authority: who may say what, about which thing. One decider per aggregate decides whether an event
// may act on the aggregate's current state. The same decider answers at publish (the bus refuses with
// the reason) and on every read path (a fold, relay or watchdog ignores what it refuses), so a city
// holding a raw NATS client can change no one else's state. Pure: no I/O, no clock.

export const RefusalKind = {
  /** Someone else's: another city's case, pass or district. */
  notYours: "not-yours",
  /** It names something that does not exist: a case never reported, a city not in the metro. */
  unknown: "unknown",
  /** It contradicts what is already there: a case reported twice, a pass id already taken. */
  conflict: "conflict",
  /** A rule of the domain is broken: an exercise event on a real case, a transfer to the owner. */
  rule: "rule",
} as const;
export type RefusalKind = (typeof RefusalKind)[keyof typeof RefusalKind];

export interface Refusal {
  readonly kind: RefusalKind;
  /** Names ids and cities only, never data: it reaches logs and dead letters. */
  readonly reason: string;
}

export type Decision = { readonly accepted: true } | { readonly accepted: false; readonly refusal: Refusal };

export const accepted: Decision = { accepted: true };
export const refused = (kind: RefusalKind, reason: string): Decision => ({
  accepted: false,
  refusal: { kind, reason },
});

/** The first of these refusals, or accepted when there is none: rules checked in the order given. */
export const unlessRefused = (...refusals: readonly (Refusal | undefined)[]): Decision => {
  const refusal = refusals.find((r) => r !== undefined);
  return refusal === undefined ? accepted : { accepted: false, refusal };
};

/** What a decider may know of the metro: which cities and districts exist. */
export interface MetroView {
  hasCity(city: string): boolean;
  /** The city a district belongs to; undefined for a district the metro does not have. */
  cityOfDistrict(district: string): string | undefined;
}

export interface DecisionContext {
  /** Absent where the metro definition is not known: rules about its cities are not checked then. */
  readonly metro?: MetroView;
}

/** The state of one aggregate as its decider sees it, and whether it is real or a drill's. */
export interface AggregateState<S> {
  readonly state: S;
  /** The status of the event that created the aggregate; undefined while nothing was accepted. */
  readonly status?: EventStatus;
}

export interface Decider<S, T extends EventType = EventType> {
  /** The aggregate's name and the event domain its types share: `case` for case.*. */
  readonly aggregate: string;
  readonly types: readonly T[];
  /** Broadcasts (EVENTS) or directed messages (DIRECT): where the aggregate's events are stored. */
  readonly directed: boolean;
  /**
   * The aggregate exists without an event making it (a district of the metro): it never takes the
   * status of its first event, so a drill may speak of it as a drill (folds keep to actual events).
   */
  readonly standing?: true;
  /**
   * Where the decision comes from, when not the aggregate's whole history: the stored subjects whose
   * last event it needs (none for a decider that judges the event against the metro alone). A directed
   * aggregate is read so because a city may read only the directed messages addressed to it. Such an
   * append carries no expectation: what it depends on is written by others, not by its publisher.
   */
  readonly reads?: (event: TongbaoEvent<T>) => readonly string[];
  readonly initial: S;
  decide(state: S, event: TongbaoEvent<T>, context: DecisionContext): Decision;
  /** Folds an event the decider accepted. */
  evolve(state: S, event: TongbaoEvent<T>): S;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of deciders of different states
export type AnyDecider = Decider<any, any>;
