import type { BusMode, BusOptions, Credentials } from "@tongbao/bus";
import { cityIds, type Metro, metroViewOf } from "@tongbao/metro";
import { z } from "zod";

/**
 * The NATS settings every service reads from its environment: where the servers are and who it is.
 * Spread into a service's own schema: `z.object({ ...NatsSettings, ...OpsSettings, … })`.
 */
export const NatsSettings = {
  /** One URL or several, comma-separated (the servers of a cluster). */
  NATS_URL: z.string().min(1).default("nats://127.0.0.1:14222"),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_TOKEN: z.string().min(1).optional(),
  /** A NATS credentials file (JWT and nkey seed) for the service's own user. */
  NATS_CREDS: z.string().min(1).optional(),
  /**
   * single (one server or a cluster), leaf (a city's own leaf node and JetStream domain: publish
   * into its outbox, read its inbox) or hub (the metro's services on the hub cluster).
   */
  NATS_MODE: z.enum(["single", "leaf", "hub"]).default("single"),
  /** In leaf mode: the city whose leaf node this is. */
  NATS_CITY: z.string().min(1).optional(),
  /** The JetStream domain, when it is not the mode's default (the city's id, or "hub"). */
  NATS_DOMAIN: z.string().min(1).optional(),
  /** Create the streams and buckets at start (an admin's job where users are restricted): on or off. */
  NATS_TOPOLOGY: z.enum(["on", "off"]).default("on"),
};

/** Where a service without an HTTP face of its own answers /healthz, /readyz and /metrics. */
export const OpsSettings = {
  OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  OPS_HOST: z.string().min(1).default("127.0.0.1"),
};

const NatsConfig = z.object(NatsSettings);
type NatsConfig = z.infer<typeof NatsConfig>;

const credentialsOf = (config: NatsConfig): Credentials => {
  if (config.NATS_CREDS) return { kind: "creds", file: config.NATS_CREDS };
  if (config.NATS_TOKEN) return { kind: "token", token: config.NATS_TOKEN };
  if (config.NATS_USER && config.NATS_PASSWORD)
    return { kind: "user", user: config.NATS_USER, password: config.NATS_PASSWORD };
  return { kind: "none" };
};

export class NatsSettingsError extends Error {
  override readonly name = "NatsSettingsError";
}

const modeOf = (config: NatsConfig, cities: readonly string[]): BusMode => {
  const domain = config.NATS_DOMAIN === undefined ? {} : { domain: config.NATS_DOMAIN };
  if (config.NATS_MODE === "leaf") {
    if (config.NATS_CITY === undefined) throw new NatsSettingsError("NATS_MODE=leaf needs NATS_CITY");
    return { kind: "leaf", city: config.NATS_CITY, ...domain };
  }
  if (config.NATS_MODE === "hub") return { kind: "hub", cities, ...domain };
  return { kind: "single" };
};

/**
 * The bus's options from the settings above, under the service's connection name. The metro says
 * what a hub sources from (its cities), and which cities and districts the deciders accept. The same
 * service code runs in every mode.
 */
export const natsOptionsOf = (config: NatsConfig, name: string, metro?: Metro): BusOptions => ({
  servers: config.NATS_URL.split(",").map((url) => url.trim()),
  name,
  credentials: credentialsOf(config),
  mode: modeOf(config, metro === undefined ? [] : cityIds(metro)),
  ...(metro !== undefined && { metro: metroViewOf(metro) }),
  ...(config.NATS_TOPOLOGY === "off" && { topology: false as const }),
});
