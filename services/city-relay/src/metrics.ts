import { type Lag, secondsBehind } from "@tongbao/bus";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export const DeliveryOutcome = {
  /** Every URL answered 2xx and the receipt is recorded. */
  delivered: "delivered",
  /** A store-kind city: the relay has the notice and recorded the receipt without HTTP. */
  stored: "stored",
  /** An attempt failed; the bus retries it after a pause. */
  failed: "failed",
  /** The last attempt failed; the bus moved the notice to DEADLETTER. */
  deadLettered: "dead-lettered",
} as const;
export type DeliveryOutcome = (typeof DeliveryOutcome)[keyof typeof DeliveryOutcome];

export interface RelayMetrics {
  count(city: string, outcome: DeliveryOutcome): void;
  observe(city: string, seconds: number): void;
  /** Reads the city's lag at each scrape (never per notice); returns the way to stop. */
  watchLag(city: string, read: () => Promise<Lag>): () => void;
}

const DELIVERIES = "tongbao_relay_deliveries_total";
const DURATION = "tongbao_relay_delivery_seconds";
const WAITING = "tongbao_relay_waiting_notices";
const BEHIND = "tongbao_relay_seconds_behind";

/** Per registry, the cities whose lag its scrapes read: relays of one process share the gauges. */
const lagReaders = new WeakMap<Registry, Map<string, () => Promise<Lag>>>();

/**
 * One read of every city's lag per scrape, shared by both gauges. A read that fails (the server is
 * away) leaves the city out of this scrape rather than failing the scrape.
 */
const lagGauges = (registry: Registry, readers: Map<string, () => Promise<Lag>>) => {
  let scrape: Promise<Map<string, Lag>> | undefined;
  const readAll = () => {
    scrape ??= (async () => {
      const lags = new Map<string, Lag>();
      await Promise.all(
        [...readers].map(async ([city, read]) => {
          const lag = await read().catch(() => undefined);
          if (lag !== undefined) lags.set(city, lag);
        }),
      );
      setTimeout(() => {
        scrape = undefined;
      }, 500).unref();
      return lags;
    })();
    return scrape;
  };
  new Gauge({
    name: WAITING,
    help: "Notices the city's systems have not yet accepted: not yet delivered, or awaiting an answer",
    labelNames: ["city"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [city, lag] of await readAll()) this.set({ city }, lag.waiting);
    },
  });
  new Gauge({
    name: BEHIND,
    help: "How long the oldest notice the city has not yet accepted has waited (of those the relay may read)",
    labelNames: ["city"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const now = Date.now();
      for (const [city, lag] of await readAll()) this.set({ city }, secondsBehind(lag, now));
    },
  });
};

/** The relay's metrics in `registry`; relays of several cities in one process share them. */
export const relayMetrics = (registry: Registry): RelayMetrics => {
  const deliveries =
    (registry.getSingleMetric(DELIVERIES) as Counter<"city" | "outcome"> | undefined) ??
    new Counter({
      name: DELIVERIES,
      help: "Delivery attempts of notices to city systems, by outcome",
      labelNames: ["city", "outcome"] as const,
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric(DURATION) as Histogram<"city"> | undefined) ??
    new Histogram({
      name: DURATION,
      help: "Time to hand a notice to every webhook URL of the city and record its receipt",
      labelNames: ["city"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
  let readers = lagReaders.get(registry);
  if (readers === undefined) {
    readers = new Map();
    lagReaders.set(registry, readers);
    lagGauges(registry, readers);
  }
  const watched = readers;
  return {
    count: (city, outcome) => deliveries.inc({ city, outcome }),
    observe: (city, seconds) => duration.observe({ city }, seconds),
    watchLag: (city, read) => {
      watched.set(city, read);
      return () => {
        if (watched.get(city) === read) watched.delete(city);
      };
    },
  };
};
