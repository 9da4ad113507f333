import type { JsMsg } from "@nats-io/jetstream";
import { decodeEvent, type TongbaoEvent } from "@tongbao/events";
import { boundedCache } from "./bounded-cache.ts";

// One broadcast reaches every city's subscription: in a process that runs the relays of 40 cities,
// parsing and validating it 39 times is most of a delivery's CPU. A stored message is decoded once
// per process, and each subscription gets the same event object, to be treated as read-only.

/**
 * Messages by stream, sequence and store time (a stream made again reuses sequences): room for
 * what subscriptions that lag each other by a few seconds read at once.
 */
const decoded = boundedCache<TongbaoEvent>(8_192);

/** The event of a stored message, decoded and checked against `subject` as decodeEvent does. */
export const decodedEvent = (m: JsMsg, subject: string): TongbaoEvent => {
  const key = `${m.info.stream}\u0000${m.seq}\u0000${m.info.timestampNanos}\u0000${subject}`;
  const known = decoded.get(key);
  if (known !== undefined) return known;
  // Refusals are not kept: they are rare, and each is dead-lettered on its own.
  const event = decodeEvent(m.json(), subject);
  decoded.set(key, event);
  return event;
};
