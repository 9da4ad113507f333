import type { Bus } from "@tongbao/bus";
import type { Metro } from "@tongbao/metro";
import type { GatewayMetrics } from "./metrics.ts";
import type { ReadModels } from "./read-models.ts";

export interface Limits {
  /** Largest request body accepted, in bytes (default 1 MiB); larger is refused with 413. */
  readonly bodyBytes: number;
  /** Most events in one batch (default 1000); more is refused with 413. */
  readonly batchEvents: number;
  /** Most events in one page of history (default 1000; a page is 100 unless `limit` says otherwise). */
  readonly pageEvents: number;
  /** How long a publish may wait for JetStream, retrying, before the caller gets 503 (default 10 s). */
  readonly publishDeadlineMs: number;
  /** Comment lines on an idle live feed, so proxies keep it open (default 15 s). */
  readonly heartbeatMs: number;
}

export const defaultLimits: Limits = {
  bodyBytes: 1024 * 1024,
  batchEvents: 1000,
  pageEvents: 1000,
  publishDeadlineMs: 10_000,
  heartbeatMs: 15_000,
};

/** What every route of the gateway works with. */
export interface GatewayContext {
  readonly bus: Bus;
  readonly metro: Metro;
  readonly readModels: ReadModels;
  readonly metrics: GatewayMetrics;
  readonly limits: Limits;
}

declare module "fastify" {
  interface FastifyRequest {
    /** The calling city, from its bearer token (empty on public routes). */
    city: string;
  }
}
