import {
  type DecisionContext,
  decideOn,
  deciderFor,
  deciders,
  foldAggregate,
  type Refusal,
} from "@tongbao/domain";
import type { TongbaoEvent } from "@tongbao/events";
import { readAggregate } from "./aggregates.ts";
import { boundedCache } from "./bounded-cache.ts";
import type { Connection } from "./connect.ts";

// What a city's raw NATS client stores past the publish-time deciders (its own subject, another
// city's pass) must not reach any city's systems as if it counted: a subscriber that decides on read
// asks the aggregate's decider again, against the aggregate as it stood before the event, and lets
// through only what it accepts. Decided once per stored message per process, for every city.

const DECISION_DEADLINE_MS = 30_000;
const decided = boundedCache<Promise<Refusal | undefined>>(8_192);

/**
 * The decider's refusal of a broadcast stored at `seq` of `stream`, judged against the aggregate's
 * events stored before it there; undefined when accepted or when no decider rules its type.
 */
export const refusalOnRead = (
  conn: Connection,
  context: DecisionContext,
  event: TongbaoEvent,
  at: { readonly stream: string; readonly seq: number },
): Promise<Refusal | undefined> => {
  const decider = deciderFor(deciders, event.type);
  if (decider === undefined) return Promise.resolve(undefined);
  const key = `${at.stream}\u0000${at.seq}\u0000${event.origin}\u0000${event.id}`;
  const known = decided.get(key);
  if (known !== undefined) return known;
  const decision = (async () => {
    const history = await readAggregate(conn, decider, event, DECISION_DEADLINE_MS);
    const before = history.events
      .filter((stored) => stored.stream === at.stream && stored.seq < at.seq)
      .map((stored) => stored.event);
    const verdict = decideOn(decider, foldAggregate(decider, before, context), event, context);
    return verdict.accepted ? undefined : verdict.refusal;
  })();
  decided.set(key, decision);
  // A read that failed is asked again next time, not remembered.
  decision.catch(() => decided.delete(key));
  return decision;
};
