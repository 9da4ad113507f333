import { NatsSettings } from "@tongbao/service-kit";
import { z } from "zod";

const port = z.coerce.number().int("must be a whole number").min(0).max(65_535);

/** The console process's configuration, from the environment (parsed once, in main.ts). */
export const ConsoleConfig = z.object({
  // Its NATS user reads every stream and re-drives dead letters.
  ...NatsSettings,
  CONSOLE_HOST: z.string().min(1).default("127.0.0.1"),
  CONSOLE_PORT: port.default(18_070),
  METRO: z.string().min(1).default("infra/metros/yrd.json"),
  /** JSON file {"<operator>": "<sha256 hex of the operator's token>"}. */
  CONSOLE_OPERATORS_FILE: z.string().min(1).default(".tongbao/demo/operators.json"),
  /** The same JSON inline; when set, the file is not read. */
  CONSOLE_OPERATORS: z.string().min(1).optional(),
  CONSOLE_SESSION_HOURS: z.coerce.number().positive("must be positive").max(168).default(12),
  /** Set when the console is served over HTTPS (a proxy in front): the cookie is then Secure. */
  CONSOLE_SECURE_COOKIE: z
    .enum(["true", "false"], { error: "must be true or false" })
    .default("false")
    .transform((v) => v === "true"),
});
export type ConsoleConfig = z.infer<typeof ConsoleConfig>;
