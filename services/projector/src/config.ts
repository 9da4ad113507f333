import { NatsSettings, OpsSettings } from "@tongbao/service-kit";
import { z } from "zod";

// Its NATS user must read every city's directed messages (the open trace requests).
export const Config = z.object({
  ...NatsSettings,
  ...OpsSettings,
  METRO: z.string().min(1).default("infra/metros/yrd.json"),
  /** Values and checkpoints are written after this many events … */
  PROJECTOR_BATCH_SIZE: z.coerce.number().int().positive().default(2_000),
  /** … or this long after the first unwritten one. */
  PROJECTOR_FLUSH_MS: z.coerce.number().int().positive().default(200),
});
export type Config = z.infer<typeof Config>;
