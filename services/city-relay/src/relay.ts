import {
  type Bus,
  ConsumerServices,
  lagOf,
  messageIdOf,
  type Subscription,
  type Takeover,
} from "@tongbao/bus";
import type { TongbaoEvent } from "@tongbao/events";
import type { City } from "@tongbao/metro";
import type { Logger } from "@tongbao/service-kit";
import { type Registry as MetricsRegistry, Registry } from "prom-client";
import { webhookBatcher } from "./batching.ts";
import { DeliveryOutcome, relayMetrics } from "./metrics.ts";
import { webhookSigner } from "./signing.ts";
import { postNotice, WebhookDeliveryError, type WebhookTarget } from "./webhook.ts";

export interface Delivered {
  readonly event: TongbaoEvent;
  readonly stream: "events" | "direct";
  readonly seq: number;
  readonly attempt: number;
  readonly outcome: typeof DeliveryOutcome.delivered | typeof DeliveryOutcome.stored;
  readonly durationMs: number;
}

export interface CityRelayOptions {
  readonly bus: Bus;
  readonly city: City;
  /** The city's webhook secret (Standard Webhooks format, see signing.ts); a webhook city needs it. */
  readonly secret?: string;
  readonly logger: Logger;
  /** Notices handled at once (default 16); those of one aggregate stay in order. */
  readonly concurrency?: number;
  /** Attempts before a notice goes to DEADLETTER (default 5). */
  readonly maxAttempts?: number;
  /** Pause before each retry (default: the bus's 1 s, 5 s, 15 s, 60 s). */
  readonly backoffMs?: readonly number[];
  /** A standby relay takes over once the active one has not pulled for this long (default: the bus's 3 s). */
  readonly takeoverAfterMs?: number;
  /** Where a relay that never ran starts: the whole history (default) or from now on. */
  readonly from?: "beginning" | "now";
  /** Where the delivery metrics go (default: a registry of the relay's own). */
  readonly registry?: MetricsRegistry;
  /** Told of each notice the city now has (its receipt is recorded). */
  readonly onDelivered?: (delivered: Delivered) => void;
}

export interface RelayStatus {
  readonly city: string;
  readonly delivery: City["delivery"]["kind"];
  /** The durable consumers, on EVENTS and on DIRECT. */
  readonly consumers: readonly string[];
  readonly running: boolean;
  readonly inFlight: number;
  /** Notices with a recorded receipt since start (delivered or, for a store city, stored). */
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly deadLettered: number;
}

export interface CityRelay {
  status(): RelayStatus;
  /** Stops fetching, lets in-flight deliveries finish (or time out), then resolves. */
  stop(): Promise<void>;
}

const DEFAULT_CONCURRENCY = 16;

// The bus hands every city's subscription in this process the same decoded event: serialise it
// once for all of them.
const bodies = new WeakMap<TongbaoEvent, string>();
const bodyOf = (event: TongbaoEvent): string => {
  let body = bodies.get(event);
  if (body === undefined) {
    body = JSON.stringify(event);
    bodies.set(event, body);
  }
  return body;
};
const DEFAULT_MAX_ATTEMPTS = 5;

interface Target {
  readonly url: string;
  /** Hands one notice (serialised once) to the URL: alone, or in the city's next batch. */
  readonly post: (event: TongbaoEvent, body: string) => Promise<number>;
}

const targetsOf = (city: City, secret: string | undefined): Target[] => {
  const { delivery } = city;
  if (delivery.kind === "store") return [];
  if (secret === undefined) throw new TypeError(`the relay of ${city.id} needs the city's webhook secret`);
  const sign = webhookSigner(secret, city.id);
  return delivery.urls.map((url) => {
    const target: WebhookTarget = { url, sign, timeoutMs: delivery.timeoutMs };
    return {
      url,
      post:
        delivery.batch === undefined
          ? (event, body) => postNotice(target, event, body)
          : webhookBatcher(target, delivery.batch),
    };
  });
};

/**
 * The relay of one city: hands every broadcast of the other cities, and every message directed to
 * this city, to the city's systems, then records the receipt. A webhook city's notice counts as
 * delivered once every URL answered 2xx; a store city's as soon as its relay has it (the city reads
 * it from Tongbao). Each city has its own durable consumers, so a slow or dead endpoint of one city
 * never holds up another.
 */
export const createCityRelay = async (options: CityRelayOptions): Promise<CityRelay> => {
  const { bus, city } = options;
  const logger = options.logger.child({ city: city.id });
  const targets = targetsOf(city, options.secret);
  const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const metrics = relayMetrics(options.registry ?? new Registry());
  const counts = { inFlight: 0, delivered: 0, failedAttempts: 0, deadLettered: 0 };
  // Per notice, the URLs that already accepted it: a retry goes only to the others. Kept in memory,
  // so a restarted relay may send again; receivers de-duplicate on webhook-id.
  const accepted = new Map<string, Set<string>>();

  const deliverToWebhooks = async (event: TongbaoEvent): Promise<number[]> => {
    const key = messageIdOf(event);
    const done = accepted.get(key) ?? new Set<string>();
    accepted.set(key, done);
    const body = bodyOf(event);
    const results = await Promise.allSettled(
      targets
        .filter((target) => !done.has(target.url))
        .map(async (target) => {
          const status = await target.post(event, body);
          done.add(target.url);
          return status;
        }),
    );
    const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
    if (failures.length === 1) throw failures[0];
    if (failures.length > 1) {
      throw new AggregateError(failures, failures.map((f) => (f as Error).message).join("; "));
    }
    accepted.delete(key);
    return results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  };

  const relayFrom =
    (stream: Delivered["stream"]) =>
    async (event: TongbaoEvent, delivery: { seq: number; attempt: number }): Promise<void> => {
      const started = performance.now();
      const fields = { type: event.type, id: event.id, origin: event.origin, stream, seq: delivery.seq };
      counts.inFlight++;
      try {
        const statuses = targets.length > 0 ? await deliverToWebhooks(event) : [];
        await bus.recordReceipt({ notice: { origin: event.origin, id: event.id }, receiver: city.id });
        const durationMs = performance.now() - started;
        const outcome = targets.length > 0 ? DeliveryOutcome.delivered : DeliveryOutcome.stored;
        counts.delivered++;
        metrics.count(city.id, outcome);
        metrics.observe(city.id, durationMs / 1000);
        logger.debug({ ...fields, statuses, attempt: delivery.attempt, durationMs }, outcome);
        options.onDelivered?.({
          event,
          stream,
          seq: delivery.seq,
          attempt: delivery.attempt,
          outcome,
          durationMs,
        });
      } catch (error) {
        const last = delivery.attempt >= maxAttempts;
        if (last) accepted.delete(messageIdOf(event));
        counts[last ? "deadLettered" : "failedAttempts"]++;
        metrics.count(city.id, last ? DeliveryOutcome.deadLettered : DeliveryOutcome.failed);
        const log = {
          ...fields,
          status: error instanceof WebhookDeliveryError ? error.status : undefined,
          attempt: delivery.attempt,
          durationMs: performance.now() - started,
          error: (error as Error).message,
        };
        if (last) logger.error(log, "gave up on the notice; the bus moves it to DEADLETTER");
        else logger.warn(log, "delivery failed; the bus retries it");
        throw error;
      } finally {
        counts.inFlight--;
      }
    };

  const common = {
    city: city.id,
    // In batch mode a request holds only notices in hand at once: enough for two full batches.
    concurrency: Math.max(
      options.concurrency ?? DEFAULT_CONCURRENCY,
      2 * (city.delivery.kind === "webhook" ? (city.delivery.batch?.maxNotices ?? 0) : 0),
    ),
    maxAttempts,
    // Receivers de-duplicate on webhook-id and a receipt is first-wins, so the bus's handled log
    // (two KV round trips per notice) would only repeat what they already guarantee.
    deduplicate: false,
    ...(options.backoffMs && { backoffMs: options.backoffMs }),
    ...(options.from && { from: options.from }),
    ...(options.takeoverAfterMs && { takeoverAfterMs: options.takeoverAfterMs }),
    onTakeover: (takeover: Takeover) =>
      logger.info(
        takeover,
        takeover.reset
          ? "took over as the active relay; delivering again from the ack floor what was left behind"
          : "took over as the active relay; what was left behind comes back after its ack wait",
      ),
    // Failed notices are logged by the handler; these are the bus's own (a pull, a takeover).
    onFailure: ({ consumer, seq, error }: { consumer: string; seq: number; error: unknown }) => {
      if (seq === 0) logger.warn({ consumer, error: (error as Error).message }, "pulling notices failed");
    },
  };
  const subscriptions: Subscription[] = [];
  try {
    subscriptions.push(
      await bus.subscribe({
        ...common,
        service: ConsumerServices.relay,
        stream: "events",
        skipOwn: true,
        // A city's raw client can store on its own subjects what its decider refuses (another
        // city's pass revoked): that never reaches a city's systems, signed by Tongbao.
        decideOnRead: true,
        handler: relayFrom("events"),
      }),
      await bus.subscribe({
        ...common,
        service: ConsumerServices.relayDirect,
        stream: "direct",
        handler: relayFrom("direct"),
      }),
    );
  } catch (error) {
    await Promise.all(subscriptions.map((s) => s.stop()));
    throw error;
  }
  let running = true;
  const unwatchLag = metrics.watchLag(city.id, async () => lagOf(await bus.relayLag(city.id)));
  logger.info({ delivery: city.delivery.kind, urls: targets.length }, "relay running");

  return {
    status: () => ({
      city: city.id,
      delivery: city.delivery.kind,
      consumers: subscriptions.map((s) => s.consumer),
      running,
      ...counts,
    }),
    stop: async () => {
      running = false;
      unwatchLag();
      await Promise.all(subscriptions.map((s) => s.stop()));
    },
  };
};
