import { type Logger, pino } from "pino";

export type { Logger };

/**
 * A pino logger: JSON lines, or readable lines when stdout is a terminal. Services log ids, types and
 * counts, never event data; the redaction is a second line of defence for what must never be logged.
 */
export const createLogger = (service: string, level = process.env.LOG_LEVEL ?? "info"): Logger =>
  pino({
    name: service,
    level,
    redact: {
      paths: [
        "authorization",
        "*.authorization",
        "req.headers.authorization",
        "token",
        "*.token",
        "secret",
        "*.secret",
      ],
      censor: "[redacted]",
    },
    ...(process.stdout.isTTY ? { transport: { target: "pino-pretty", options: { colorize: true } } } : {}),
  });
