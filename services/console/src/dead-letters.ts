import type { DeadLetter, StoredDeadLetter } from "@tongbao/bus";
import { decodeEvent } from "@tongbao/events";

/** The envelope of the message a dead letter holds; null when it is gone or unreadable. */
const envelopeOf = (payload: string | null, subject: string) => {
  if (payload === null) return null;
  try {
    const event = decodeEvent(JSON.parse(payload), subject);
    return {
      id: event.id,
      type: event.type,
      origin: event.origin,
      key: event.subject,
      status: event.status,
      ...(event.audience === undefined ? {} : { audience: event.audience }),
    };
  } catch {
    return null;
  }
};

const isDirected = (letter: DeadLetter) => letter.subject.startsWith("dm.") || letter.stream === "DIRECT";

/**
 * A dead letter for the page: where it came from, why it died, and the envelope of its message.
 * The message's data is shown (by `show`) for broadcasts only: a directed message may name people.
 */
export const deadLetterView = ({ payload, ...letter }: StoredDeadLetter, withData = false) => {
  const directed = isDirected({ ...letter, payload });
  let data: unknown;
  if (withData && !directed && payload !== null) {
    try {
      data = (JSON.parse(payload) as { data?: unknown }).data;
    } catch {
      data = undefined;
    }
  }
  return {
    ...letter,
    directed,
    event: envelopeOf(payload, letter.subject),
    ...(data === undefined ? {} : { data }),
  };
};
