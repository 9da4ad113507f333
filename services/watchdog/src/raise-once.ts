import { type Bus, ConcurrencyConflictError } from "@tongbao/bus";
import { type EventInput, METRO_ORIGIN } from "@tongbao/events";

/**
 * Publishes an overdue event on its own subject only if that subject is still empty, so it is raised
 * once however often the watchdog sees the same notice (redeliveries, restarts, two instances).
 * Overdue keys name the cities of what was late (overdueKey), so no city's id can take another's.
 * Returns whether this call raised it.
 */
export const raiseOnce = async (
  bus: Bus,
  input: EventInput & { readonly causationid: string },
): Promise<boolean> => {
  try {
    await bus.publish(
      { ...input, origin: METRO_ORIGIN, source: "/metro/watchdog" },
      { expectedLastSubjectSequence: 0 },
    );
    return true;
  } catch (error) {
    if (error instanceof ConcurrencyConflictError) return false;
    throw error;
  }
};
