import { type Bus, ConcurrencyConflictError } from "@tongbao/bus";
import { type EventInput, METRO_ORIGIN, type TongbaoEvent } from "@tongbao/events";
import type { Logger } from "@tongbao/service-kit";

/**
 * Publishes an overdue event on its own subject only if that subject is still empty, so it is raised
 * once however often the watchdog sees the same notice (redeliveries, restarts, two instances).
 * Returns whether this call raised it.
 */
export const raiseOnce = async (
  bus: Bus,
  input: EventInput & { readonly causationid: string },
  sameCause: (existing: TongbaoEvent) => boolean,
  logger?: Logger,
): Promise<boolean> => {
  try {
    await bus.publish(
      { ...input, origin: METRO_ORIGIN, source: "/metro/watchdog" },
      { expectedLastSubjectSequence: 0 },
    );
    return true;
  } catch (error) {
    if (!(error instanceof ConcurrencyConflictError)) throw error;
    // Already raised. Ids are unique per origin only: two cities may have used the same id, and the
    // second one's overdue event cannot be raised under that key. Say so rather than stay silent.
    const existing = await bus.lastEvent({ origin: METRO_ORIGIN, type: input.type, key: input.subject });
    if (existing !== null && !sameCause(existing.event)) {
      logger?.warn(
        { type: input.type, key: input.subject, causationid: input.causationid },
        "an overdue event of another origin already holds this key; not raised",
      );
    }
    return false;
  }
};
