import type { DecisionContext } from "@tongbao/domain";
import { type EventInput, prepareEvent, type TongbaoEvent } from "@tongbao/events";
import type { ReadModel } from "../src/model.ts";

/** Given events (as published), the state of every key after the fold, as the projector keeps it. */
export const given = <S, E extends TongbaoEvent>(
  model: ReadModel<S, E>,
  inputs: EventInput[],
  decisions?: DecisionContext,
) => {
  const states = new Map<string, S>();
  inputs.forEach((input, i) => {
    const event = prepareEvent(input) as TongbaoEvent;
    if (!(model.statuses === "all" || event.status === "actual")) return;
    if (!model.types.includes(event.type)) return;
    const key = model.keyOf(event as E);
    if (key === undefined) return;
    const meta = {
      stream: "events" as const,
      seq: i + 1,
      recordedAt: new Date(Date.UTC(2020, 1, 1) + i * 60_000),
      ...(decisions && { decisions }),
    };
    const state = model.evolve(states.get(key), event as E, meta);
    if (state !== undefined) states.set(key, state);
  });
  return states;
};

export { waitFor } from "@tongbao/testkit";
