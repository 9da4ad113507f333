import type { Bus, Store } from "@tongbao/bus";
import type { Stored, StreamName } from "../model.ts";
import { storedValues } from "../queries/stored-values.ts";
import { type NoticeEntry, nearIdTime, noticeEntryOf, noticeKey } from "./notices.ts";

const STREAMS: readonly StreamName[] = ["events", "direct"];

/** Read in the streams themselves, near the time in the id: where nearly every notice is. */
const foundNear = async (bus: Bus, id: string, origin: string | undefined): Promise<NoticeEntry[]> => {
  const near = nearIdTime(id);
  if (near === undefined) return [];
  const found = await Promise.all(
    STREAMS.map(async (stream) => {
      const stored = await bus.eventById({ id, stream, ...near, ...(origin !== undefined && { origin }) });
      return stored === null ? [] : [noticeEntryOf(stored.event, { stream, ...stored })];
    }),
  );
  return found.flat();
};

const indexed = async (
  notices: Store<Stored<NoticeEntry>>,
  id: string,
  origin: string | undefined,
): Promise<NoticeEntry[]> => {
  if (origin !== undefined) {
    const entry = (await notices.get(noticeKey(origin, id)))?.value.state;
    return entry === undefined ? [] : [entry];
  }
  return storedValues(notices, `*.${id}`);
};

/**
 * A notice by id (and origin): the index and the streams near the id's time are both asked, and
 * the copy stored first is the notice, as the index's fold keeps the first.
 */
export const findNotice = async (
  bus: Bus,
  notices: Store<Stored<NoticeEntry>>,
  id: string,
  origin?: string,
): Promise<NoticeEntry | null> => {
  const [fromIndex, near] = await Promise.all([indexed(notices, id, origin), foundNear(bus, id, origin)]);
  const [first] = [...fromIndex, ...near].sort((a, b) => a.recordedAt.localeCompare(b.recordedAt));
  return first ?? null;
};
