import { AckPolicy, type ConsumerConfig, DeliverPolicy, type PriorityPolicy } from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";
import type { Connection } from "./connect.ts";
import { TopologyConflictError } from "./errors.ts";
import { isNotFound } from "./nats-errors.ts";
import { differencesOf } from "./topology/ensure.ts";

/**
 * The priority group every subscriber pulls in. The consumer pins one client: one instance of a
 * subscription delivers and any other stands by, taking over once the active one has not pulled for
 * the takeover time. Two instances sharing the deliveries could not keep an aggregate in order.
 */
export const ACTIVE_GROUP = "active";

const PINNED_CLIENT: PriorityPolicy = "pinned_client";

export interface DurableSettings {
  readonly name: string;
  readonly filter: string;
  readonly from: "beginning" | "now";
  /** Deliveries of one message before the server gives up on it (a process that dies on it each time). */
  readonly maxDeliver: number;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  /** How long the pinned client may go without pulling before a standby takes over. */
  readonly takeoverAfterMs: number;
}

export const consumerConfigOf = (settings: DurableSettings): Partial<ConsumerConfig> => ({
  durable_name: settings.name,
  ack_policy: AckPolicy.Explicit,
  filter_subject: settings.filter,
  deliver_policy: settings.from === "now" ? DeliverPolicy.New : DeliverPolicy.All,
  max_deliver: settings.maxDeliver,
  ack_wait: nanos(settings.ackWaitMs),
  max_ack_pending: settings.maxAckPending,
  priority_policy: PINNED_CLIENT,
  priority_groups: [ACTIVE_GROUP],
  priority_timeout: nanos(settings.takeoverAfterMs),
});

// Settings the server changes on a live consumer without touching its position (nats-server 2.11+),
// and that a durable made by an older Tongbao lacks: such a durable is updated in place.
const UPDATABLE = ["priority_policy", "priority_groups", "priority_timeout"] as const;

/**
 * Creates the durable consumer, or checks an existing one: the priority settings are brought up to
 * date in place; any other difference is a TopologyConflictError, never silently changed.
 */
export const ensureConsumer = async (
  conn: Connection,
  stream: string,
  config: Partial<ConsumerConfig>,
): Promise<void> => {
  const name = config.durable_name as string;
  const existing = await conn.jsm.consumers.info(stream, name).catch((error: unknown) => {
    if (isNotFound(error)) return null;
    throw error;
  });
  if (existing === null) {
    await conn.jsm.consumers.add(stream, config);
    return;
  }
  const { durable_name: _, deliver_policy: __, ...settings } = config;
  const differences = differencesOf(
    `${stream}/${name}`,
    settings,
    existing.config as unknown as Record<string, unknown>,
  );
  const fixed = differences.filter((d) => !(UPDATABLE as readonly string[]).includes(d.setting));
  if (fixed.length > 0) throw new TopologyConflictError(fixed);
  if (differences.length > 0) {
    await conn.jsm.consumers.update(
      stream,
      name,
      Object.fromEntries(UPDATABLE.map((setting) => [setting, config[setting]])),
    );
  }
};
