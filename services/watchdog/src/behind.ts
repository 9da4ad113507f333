import { type Bus, type Lag, lagOf, NotFoundError, secondsBehind } from "@tongbao/bus";
import { METRO_ORIGIN, overdueKey } from "@tongbao/events";
import type { Logger } from "@tongbao/service-kit";
import { raiseOnce } from "./raise-once.ts";

// A city whose relay fell behind (its webhook down for an hour, a pause, a slow system) would
// otherwise earn one notice.overdue per waiting notice: thousands, burying every other alarm. Such a
// city is said to be behind once, with relay.behind, and left out of the overdue notices of the
// episode; the episode ends when its relay has caught up. Only a late city's lag is read, so a
// metro in good health costs nothing here.

/** Notices waiting before a late city counts as behind rather than late on a few notices. */
export const DEFAULT_BEHIND_AT_NOTICES = 10;
/** A lag read serves the checks of this long: thousands of late notices, one read per city. */
const LAG_FRESH_MS = 1_000;
/** How often an open episode is looked at, to end it once the city caught up. */
const EPISODE_CHECK_MS = 5_000;

export interface BehindOptions {
  readonly bus: Bus;
  readonly now: () => number;
  readonly logger?: Logger;
  /** The metro's acknowledgement deadline: a city is behind when its oldest waiting notice is older. */
  readonly withinMs: number;
  readonly behindAtNotices: number;
}

export interface BehindCities {
  /** Which of these late cities are behind; a city newly behind is announced with relay.behind. */
  among(late: readonly string[]): Promise<Set<string>>;
  stop(): void;
}

export const watchBehind = (options: BehindOptions): BehindCities => {
  const { bus, now, logger } = options;
  const lags = new Map<string, { at: number; lag: Promise<Lag | undefined> }>();
  /** Cities in an episode of being behind, by the key its relay.behind was raised under. */
  const episodes = new Map<string, string>();

  /** The relay's lag, or undefined when the city runs no relay here (a leaf city's runs on its leaf). */
  const readLag = (city: string): Promise<Lag | undefined> => {
    const cached = lags.get(city);
    if (cached !== undefined && now() - cached.at < LAG_FRESH_MS) return cached.lag;
    const lag = bus.relayLag(city).then(lagOf, (error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      // Saying too much beats saying nothing: without its lag, the city's notices are judged one by one.
      logger?.warn({ city, err: error }, "could not read the relay's lag");
      return undefined;
    });
    lags.set(city, { at: now(), lag });
    return lag;
  };

  const isBehind = (lag: Lag | undefined): lag is Lag & { oldestWaitingSince: Date } =>
    lag !== undefined &&
    lag.waiting >= options.behindAtNotices &&
    lag.oldestWaitingSince !== undefined &&
    now() - lag.oldestWaitingSince.getTime() >= options.withinMs;

  const announce = async (city: string, lag: Lag & { oldestWaitingSince: Date }) => {
    // Keyed by the city and when its oldest waiting notice was stored: a stuck relay's episode keeps
    // its key across watchdog restarts; base 36 keeps the key clear of long digit runs.
    const key = overdueKey(city, lag.oldestWaitingSince.getTime().toString(36));
    const raised = await raiseOnce(bus, {
      type: "relay.behind",
      origin: METRO_ORIGIN,
      subject: key,
      causationid: key,
      data: {
        city,
        waiting: lag.waiting,
        oldestWaitingSince: lag.oldestWaitingSince.toISOString(),
        secondsBehind: secondsBehind(lag, now()),
        ...(lag.pausedUntil !== undefined && { pausedUntil: lag.pausedUntil.toISOString() }),
      },
    });
    episodes.set(city, key);
    if (raised) logger?.warn({ city, waiting: lag.waiting }, "relay behind: its overdue notices are held");
  };

  const timer = setInterval(async () => {
    for (const city of [...episodes.keys()]) {
      if (!isBehind(await readLag(city))) {
        episodes.delete(city);
        logger?.info({ city }, "relay caught up: its late notices are judged one by one again");
      }
    }
  }, EPISODE_CHECK_MS);
  timer.unref();

  return {
    among: async (late) => {
      const behind = new Set<string>();
      for (const city of late) {
        const lag = await readLag(city);
        if (!isBehind(lag)) continue;
        behind.add(city);
        if (!episodes.has(city)) await announce(city, lag);
      }
      return behind;
    },
    stop: () => clearInterval(timer),
  };
};
