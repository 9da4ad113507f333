import type { DecisionContext } from "@tongbao/domain";
import type { TongbaoEvent } from "@tongbao/events";

/** The two streams read models fold: broadcasts and directed messages. */
export type StreamName = "events" | "direct";

/** Where an event sits in the log: what a fold may use besides the event itself. */
export interface Meta {
  readonly stream: StreamName;
  readonly seq: number;
  readonly recordedAt: Date;
  /** What the deciders may know of the metro, when the bus was given it: the folds decide again. */
  readonly decisions?: DecisionContext;
}

/**
 * A read model: a pure fold per key. `keyOf` names the one value an event changes; `evolve` folds
 * the event into that value (returning the same reference when the event changes nothing).
 */
export interface ReadModel<S, E extends TongbaoEvent = TongbaoEvent> {
  readonly name: string;
  /** Its KV bucket: one per read model, so a rebuild can drop it whole. */
  readonly bucket: string;
  readonly streams: readonly StreamName[];
  readonly types: readonly E["type"][];
  /** Only `actual` events (the decided policy), except an index of everything stored. */
  readonly statuses: "actual" | "all";
  keyOf(event: E): string | undefined;
  evolve(state: S | undefined, event: E, meta: Meta): S | undefined;
}

/** Any read model, for lists of them (method parameters are bivariant, so every model fits). */
export type AnyReadModel = ReadModel<unknown>;

/** Per stream, the sequence of the last event applied. */
export type Applied = { readonly [stream in StreamName]?: number };

/**
 * A value as stored in KV: the state of one key and, per stream, the sequence of the last event
 * applied to it, so an event applied again after a crash (values are written before the checkpoint)
 * is recognised and skipped.
 */
export interface Stored<S> {
  readonly state: S;
  readonly seq: Applied;
}

/** Whether the model folds this event at all (type and status). */
export const folds = (model: AnyReadModel, event: TongbaoEvent): boolean =>
  (model.statuses === "all" || event.status === "actual") && model.types.includes(event.type);
