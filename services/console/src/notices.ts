import type { ReplayedEvent } from "@tongbao/bus";
import { METRO_ORIGIN, type TongbaoEvent } from "@tongbao/events";

/**
 * What the page shows of an event: the envelope, and for a broadcast a one-line summary of its data.
 * A directed message (trace request, key-person push) may name people: the page sees who asked whom,
 * its type and key, never its data.
 */
export interface NoticeView {
  /** `<stream>-<seq>`: unique in the page, and the order within a stream. */
  readonly ref: string;
  readonly stream: "events" | "direct";
  readonly seq: number;
  readonly id: string;
  readonly type: string;
  readonly origin: string;
  readonly audience?: string;
  readonly key: string;
  readonly status: string;
  readonly time: string;
  readonly recordedAt: string;
  /** The cities that should acknowledge it. */
  readonly expected: readonly string[];
  readonly summary?: string;
}

/** Who should acknowledge: the one target of a directed message, else every city but the origin. */
export const expectedReceivers = (
  event: Pick<TongbaoEvent, "origin" | "audience">,
  cities: readonly string[],
): string[] =>
  event.audience !== undefined
    ? [event.audience]
    : cities.filter((city) => city !== event.origin || event.origin === METRO_ORIGIN);

// References and hashes mean nothing to an operator and are best not copied around.
const HIDDEN = /(ref|hash|plate|contacts?)$/i;
const SUMMARY_FIELDS = 5;
const SUMMARY_LENGTH = 160;

const scalar = (value: unknown): string | undefined => {
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
    return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value.join(", ");
  return undefined;
};

export const summaryOf = (data: unknown): string => {
  if (typeof data !== "object" || data === null) return "";
  const parts = Object.entries(data).flatMap(([name, value]) => {
    const text = HIDDEN.test(name) ? undefined : scalar(value);
    return text === undefined || text === "" ? [] : [`${name}: ${text}`];
  });
  const line = parts.slice(0, SUMMARY_FIELDS).join(" · ");
  return line.length > SUMMARY_LENGTH ? `${line.slice(0, SUMMARY_LENGTH - 1)}…` : line;
};

export const noticeView = (
  stream: "events" | "direct",
  { event, seq, recordedAt }: Pick<ReplayedEvent, "event" | "seq" | "recordedAt">,
  cities: readonly string[],
): NoticeView => ({
  ref: `${stream}-${seq}`,
  stream,
  seq,
  id: event.id,
  type: event.type,
  origin: event.origin,
  ...(event.audience === undefined ? {} : { audience: event.audience }),
  key: event.subject,
  status: event.status,
  time: event.time,
  recordedAt: recordedAt.toISOString(),
  expected: expectedReceivers(event, cities),
  ...(stream === "events" ? { summary: summaryOf(event.data) } : {}),
});
