import type { Bus, ReplayQuery } from "@tongbao/bus";
import type { TongbaoEvent } from "@tongbao/events";
import type { ReadModel } from "../model.ts";

/**
 * Folds a read model in memory from the log, for moments the stored values do not describe.
 * `accept` leaves out events (e.g. not yet effective at the moment asked about).
 */
export const foldLog = async <S, E extends TongbaoEvent>(
  bus: Bus,
  model: ReadModel<S, E>,
  query: Omit<ReplayQuery, "types" | "statuses">,
  accept: (event: E) => boolean = () => true,
): Promise<Map<string, S>> => {
  const states = new Map<string, S>();
  const statuses = model.statuses === "actual" ? { statuses: ["actual" as const] } : {};
  const decisions = bus.metro === undefined ? {} : { decisions: { metro: bus.metro } };
  for await (const { event, seq, recordedAt } of bus.replay({ ...query, types: model.types, ...statuses })) {
    // The replay asked for the model's types only.
    const typed = event as E;
    if (!accept(typed)) continue;
    const key = model.keyOf(typed);
    if (key === undefined) continue;
    const state = model.evolve(states.get(key), typed, { stream: "events", seq, recordedAt, ...decisions });
    if (state !== undefined) states.set(key, state);
  }
  return states;
};
