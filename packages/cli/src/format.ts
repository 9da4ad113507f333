import type { ReplayedEvent } from "@tongbao/bus";
import { CliError, ExitCode } from "./exit.ts";

/** One readable line per event: when, where in the log, who, what, which aggregate; never the data. */
export const eventLine = ({ event, seq }: ReplayedEvent): string => {
  const marker = event.status === "actual" ? "" : `  [${event.status.toUpperCase()}]`;
  const audience = event.audience === undefined ? "" : ` → ${event.audience}`;
  return `${event.time}  #${seq}  ${event.origin}${audience}  ${event.type}  ${event.subject}  ${event.id}${marker}`;
};

/** A ReplayedEvent as one JSON document for scripts. */
export const eventJson = ({ event, seq, recordedAt }: ReplayedEvent) => ({
  seq,
  recordedAt: recordedAt.toISOString(),
  event,
});

/** A time from the command line (ISO 8601, e.g. 2020-02-10T00:00:00+08:00), checked. */
export const moment =
  (flag: string) =>
  (value: string): string => {
    const ms = Date.parse(value);
    if (Number.isNaN(ms))
      throw new CliError(
        `${flag} must be a time such as 2020-02-10T00:00:00+08:00, got "${value}"`,
        ExitCode.invalid,
      );
    return new Date(ms).toISOString();
  };

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A length of time from the command line: 30m, 2h, 1d. */
export const duration =
  (flag: string) =>
  (value: string): number => {
    const match = /^(\d+)([mhd])$/.exec(value.trim());
    const n = Number(match?.[1]);
    if (match === null || !(n > 0))
      throw new CliError(
        `${flag} must be a length of time such as 30m, 2h or 1d, got "${value}"`,
        ExitCode.invalid,
      );
    return n * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  };

export const positiveInteger =
  (flag: string) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n <= 0)
      throw new CliError(`${flag} must be a positive whole number, got "${value}"`, ExitCode.invalid);
    return n;
  };

/** Repeatable options collect into a list: --type a --type b, or --type a,b. */
export const list = (value: string, previous: string[] = []): string[] => [
  ...previous,
  ...value
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v.length > 0),
];

export const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
