import type { Credentials } from "@tongbao/bus";
import { z } from "zod";

export const Config = z.object({
  NATS_URL: z.string().min(1).default("nats://127.0.0.1:14222"),
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_TOKEN: z.string().min(1).optional(),
  /** A NATS credentials file for the projector's user (it reads every city's directed messages). */
  NATS_CREDS: z.string().min(1).optional(),
  METRO: z.string().min(1).default("infra/metros/yrd.json"),
  OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(0),
  OPS_HOST: z.string().min(1).default("127.0.0.1"),
  /** Values and checkpoints are written after this many events … */
  PROJECTOR_BATCH_SIZE: z.coerce.number().int().positive().default(2_000),
  /** … or this long after the first unwritten one. */
  PROJECTOR_FLUSH_MS: z.coerce.number().int().positive().default(200),
});
export type Config = z.infer<typeof Config>;

export const credentialsOf = (config: Config): Credentials => {
  if (config.NATS_CREDS) return { kind: "creds", file: config.NATS_CREDS };
  if (config.NATS_TOKEN) return { kind: "token", token: config.NATS_TOKEN };
  if (config.NATS_USER && config.NATS_PASSWORD)
    return { kind: "user", user: config.NATS_USER, password: config.NATS_PASSWORD };
  return { kind: "none" };
};
