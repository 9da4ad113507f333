import { lagOf, NotFoundError, secondsBehind } from "@tongbao/bus";
import type { FastifyInstance } from "fastify";
import type { ConsoleContext } from "../context.ts";

/**
 * How far behind each city's relay is: notices its systems have not yet accepted, and how long the
 * oldest has waited; whether it is paused for maintenance; and whether that is past the metro's
 * deadline (then the watchdog has said relay.behind). A city without a relay here has "none": a
 * leaf city's relay runs on its own leaf, and a store city's may not run yet.
 */
export const registerRelays = (app: FastifyInstance, { bus, metro, cities }: ConsoleContext) => {
  const withinSeconds = metro.acknowledgeWithinSeconds;
  app.get("/api/relays", async () => {
    const now = Date.now();
    const relays = await Promise.all(
      cities.map(async (city) => {
        try {
          const lag = lagOf(await bus.relayLag(city));
          const behind = secondsBehind(lag, now);
          return {
            city,
            relay: "running" as const,
            waiting: lag.waiting,
            oldestWaitingSince: lag.oldestWaitingSince?.toISOString(),
            secondsBehind: behind,
            pausedUntil: lag.pausedUntil?.toISOString(),
            pastDeadline: lag.waiting > 0 && behind >= withinSeconds,
          };
        } catch (error) {
          if (error instanceof NotFoundError) return { city, relay: "none" as const };
          throw error;
        }
      }),
    );
    return { acknowledgeWithinSeconds: withinSeconds, relays };
  });
};
