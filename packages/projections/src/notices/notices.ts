import { type EventStatus, eventTypes, subjectOfValidEvent, type TongbaoEvent } from "@tongbao/events";
import type { Meta, ReadModel, StreamName } from "../model.ts";

// Every stored event, by origin and id: how the gateway finds a notice for its receipts endpoint.
// It indexes every status (a drill's receipts matter to the drill) and holds no data, only where
// the event is. A directed message's key and subject (a person's reference, a request id) stay in
// the message, which expires: this index, kept for good, holds only who it is between.

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

const evolve = (state: NoticeEntry | undefined, event: TongbaoEvent, meta: Meta): NoticeEntry =>
  // An id is stored once per origin: the first copy is the notice.
  state ?? {
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
