import { NatsSettings } from "@tongbao/service-kit";
import { z } from "zod";

const port = z.coerce.number().int("must be a whole number").min(0).max(65_535);
const positive = z.coerce.number().int("must be a whole number").positive("must be positive");

/** The gateway process's configuration, from the environment (parsed once, in main.ts). */
export const GatewayConfig = z.object({
  ...NatsSettings,
  GATEWAY_HOST: z.string().min(1).default("127.0.0.1"),
  GATEWAY_PORT: port.default(8080),
  /** The metro definition: cities, their token hashes' secret references, acknowledgement window. */
  METRO: z.string().min(1).default("infra/metros/yrd.json"),
  GATEWAY_BODY_LIMIT_BYTES: positive.default(1024 * 1024),
  GATEWAY_BATCH_LIMIT: positive.default(1000),
  GATEWAY_PUBLISH_DEADLINE_MS: positive.default(10_000),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;
