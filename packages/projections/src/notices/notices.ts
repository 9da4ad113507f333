import {
  type EventStatus,
  eventTypes,
  idTimeOf,
  subjectOfValidEvent,
  type TongbaoEvent,
} from "@tongbao/events";
import type { Meta, ReadModel, StreamName } from "../model.ts";

// Every stored event, by origin and id: how the gateway finds a notice for its receipts endpoint
// (find-notice.ts), the index for those not found near the time in their id. It covers every
// status (a drill's receipts matter to the drill) and holds no data, only where the event is. A
// directed message's key and subject (a person's reference, a request id) stay in the message,
// which expires: this index, kept for good, holds only who it is between.

export interface NoticeEntry {
  readonly origin: string;
  readonly id: string;
  readonly type: string;
  /** The NATS subject it is stored under; broadcasts only. */
  readonly subject?: string;
  /** The aggregate key (the CloudEvents subject); broadcasts only. */
  readonly key?: string;
  readonly stream: StreamName;
  readonly seq: number;
  readonly time: string;
  readonly recordedAt: string;
  readonly audience?: string;
  readonly status: EventStatus;
}

/** The entry of a stored event, as the index keeps it and as a lookup near its id's time builds it. */
export const noticeEntryOf = (
  event: TongbaoEvent,
  meta: Pick<Meta, "stream" | "seq" | "recordedAt">,
): NoticeEntry => ({
  origin: event.origin,
  id: event.id,
  type: event.type,
  ...(event.audience === undefined && { subject: subjectOfValidEvent(event), key: event.subject }),
  stream: meta.stream,
  seq: meta.seq,
  time: event.time,
  recordedAt: meta.recordedAt.toISOString(),
  ...(event.audience === undefined ? {} : { audience: event.audience }),
  status: event.status,
});

/**
 * Where, around the time in its id (a UUIDv7), a notice is looked for in the stream itself: from
 * 2 s before (the publisher's clock ahead of the server's) to 5 s after (the publish on its way).
 * Nearly every notice is stored there, so the index holds only the others — ids of another form,
 * clocks far apart, a leaf's backlog sourced after a partition — and a rebuild writes a value for
 * them alone, not one per event.
 */
export const NEAR_ID_TIME = { beforeMs: 2_000, afterMs: 5_000 } as const;

/** The stored times a notice with this id is looked for between, or undefined for an id without a time. */
export const nearIdTime = (id: string): { since: Date; until: Date } | undefined => {
  const made = idTimeOf(id);
  if (made === undefined) return undefined;
  return { since: new Date(made - NEAR_ID_TIME.beforeMs), until: new Date(made + NEAR_ID_TIME.afterMs) };
};

const foundNearIdTime = (id: string, recordedAt: Date) => {
  const near = nearIdTime(id);
  const at = recordedAt.getTime();
  return near !== undefined && at >= near.since.getTime() && at <= near.until.getTime();
};

const evolve = (state: NoticeEntry | undefined, event: TongbaoEvent, meta: Meta): NoticeEntry | undefined => {
  // An id is stored once per origin: the first copy is the notice (a lookup takes the earliest).
  if (state !== undefined) return state;
  return foundNearIdTime(event.id, meta.recordedAt) ? undefined : noticeEntryOf(event, meta);
};

export const noticeKey = (origin: string, id: string): string => `${origin}.${id}`;

export const noticesModel: ReadModel<NoticeEntry> = {
  name: "notices",
  bucket: "rm-notices",
  streams: ["events", "direct"],
  types: eventTypes,
  statuses: "all",
  keyOf: (event) => noticeKey(event.origin, event.id),
  evolve,
};
