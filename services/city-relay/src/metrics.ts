import { Counter, Histogram, type Registry } from "prom-client";

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
}

const DELIVERIES = "tongbao_relay_deliveries_total";
const DURATION = "tongbao_relay_delivery_seconds";

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
  return {
    count: (city, outcome) => deliveries.inc({ city, outcome }),
    observe: (city, seconds) => duration.observe({ city }, seconds),
  };
};
