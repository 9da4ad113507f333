import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/** The gateway's Prometheus metrics, in a registry of its own (several gateways may share a process). */
export const createGatewayMetrics = () => {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "tongbao_gateway_requests_total",
    help: "HTTP requests answered, by route, method and status",
    labelNames: ["route", "method", "status"] as const,
    registers: [registry],
  });
  const publishSeconds = new Histogram({
    name: "tongbao_gateway_publish_seconds",
    help: "Time from an accepted request to JetStream's acknowledgement of its events",
    labelNames: ["kind"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const published = new Counter({
    name: "tongbao_gateway_events_published_total",
    help: "Events stored through the gateway, by origin city and whether JetStream already had them",
    labelNames: ["origin", "duplicate"] as const,
    registers: [registry],
  });
  const liveFeeds = new Gauge({
    name: "tongbao_gateway_live_feeds",
    help: "Live feeds (server-sent events) open now",
    registers: [registry],
  });
  return { registry, requests, publishSeconds, published, liveFeeds };
};

export type GatewayMetrics = ReturnType<typeof createGatewayMetrics>;
