// Tongbao runs the same code on one server, on a cluster, and across cities on a hub cluster with one
// leaf node per city, each city its own JetStream domain. Only the streams differ: in leaf mode a city
// publishes into its local outboxes and reads its local inboxes, which source the hub, which sources
// every outbox. Subjects never change, so neither does any application code.

/** Which topology the bus runs on; chosen by configuration. */
export type BusMode =
  /** One server or one cluster: the streams capture the subjects directly (the default). */
  | { readonly kind: "single" }
  /** A city's leaf node: its own JetStream domain (default: the city id), linked to the hub's. */
  | { readonly kind: "leaf"; readonly city: string; readonly domain?: string; readonly hubDomain?: string }
  /** The hub cluster: sources every city's outbox; metro services publish into its own outbox. */
  | { readonly kind: "hub"; readonly cities: readonly string[]; readonly domain?: string };

export const HUB_DOMAIN = "hub";

export const domainOf = (mode: BusMode): string | undefined =>
  mode.kind === "leaf"
    ? (mode.domain ?? mode.city)
    : mode.kind === "hub"
      ? (mode.domain ?? HUB_DOMAIN)
      : undefined;

/** Subject spaces that streams capture in every domain: a leaf link must carry none of them. */
export const DOMAIN_LOCAL_SUBJECTS = ["evt.>", "dm.>", "rcpt.>", "dlq.>", "rdv.>", "$KV.>", "$JS.EVENT.>"];

/**
 * Where a leaf link's stream sources deliver (the sources' `external.deliver` prefix), one subject
 * space per city and direction: `up` from the city's outboxes to the hub, `down` from the hub to the
 * city's inboxes. So a link's permissions name its own city's deliveries and no other city's: a leaf
 * can neither read another city's directed messages on their way down nor inject into another
 * city's on their way up (infra/nats permissions.ts leafLinkPermissions).
 */
export const linkDeliveryOf = (city: string, direction: "up" | "down") => `tongbao.link.${city}.${direction}`;
