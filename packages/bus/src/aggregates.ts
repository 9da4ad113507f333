import type { StoredMsg } from "@nats-io/jetstream";
import type { AnyDecider } from "@tongbao/domain";
import { aggregateSubject, decodeEvent, type TongbaoEvent } from "@tongbao/events";
import type { Connection } from "./connect.ts";
import { messagesOn } from "./direct-reads.ts";
import { untilDeadline } from "./retry.ts";

// Decisions about one aggregate are serialised by the stream itself: the publisher reads the
// aggregate's events, its decider decides, and the append expects the aggregate's last sequence
// over every subject of the aggregate (Nats-Expected-Last-Subject-Sequence with a wildcard
// -Subject). Whoever appended meanwhile makes the append fail, and the publisher decides again.
//
// On a city's leaf node the city appends to its own outbox, which holds only what it said; the
// metro's view of the aggregate is its inbox. The check then covers the city's own appends, and
// the rest holds because only an aggregate's owner may append to it: ownership moves only by the
// owner's own word, which the owner sees in its outbox at once.

export interface StoredEvent {
  readonly event: TongbaoEvent;
  readonly stream: string;
  readonly seq: number;
}

export interface AggregateHistory {
  /** Its events in log order: the metro's view, then what this connection stored not yet in it. */
  readonly events: readonly StoredEvent[];
  /** Every subject of the aggregate, as one wildcard. */
  readonly subject: string;
  /** The stream this connection appends to, and the aggregate's last sequence there (0: none). */
  readonly stream: string;
  readonly lastSeq: number;
}

/** A message a raw client stored that is no readable event acts on nothing: it is left out. */
const eventsOf = (messages: readonly StoredMsg[], stream: string): StoredEvent[] =>
  messages.flatMap((m) => {
    try {
      return [{ event: decodeEvent(m.json(), m.subject), stream, seq: m.seq }];
    } catch {
      return [];
    }
  });

const keyOf = ({ event }: StoredEvent) => `${event.origin}:${event.id}`;

/** The streams an aggregate is read from and appended to, from this connection. */
export const placeOf = (conn: Connection, directed: boolean) =>
  directed
    ? { read: conn.streams.direct, write: conn.streams.outboxDirect }
    : { read: conn.streams.events, write: conn.streams.outbox };

/**
 * The aggregate's history, read as patiently as an append is stored: through a reconnect, a leader
 * election, or a fresh stream whose direct gets have no responders for a moment.
 */
export const readAggregate = (
  conn: Connection,
  decider: AnyDecider,
  key: string,
  deadlineMs: number,
): Promise<AggregateHistory> =>
  untilDeadline(`read ${decider.aggregate} ${key}`, deadlineMs, () => readOnce(conn, decider, key));

const readOnce = async (conn: Connection, decider: AnyDecider, key: string): Promise<AggregateHistory> => {
  const subject = aggregateSubject(decider.aggregate, key, decider.directed);
  const { read, write } = placeOf(conn, decider.directed);
  if (read === write) {
    const stored = await messagesOn(conn, read, subject);
    return { events: eventsOf(stored, read), subject, stream: write, lastSeq: stored.at(-1)?.seq ?? 0 };
  }
  const [metro, own] = await Promise.all([messagesOn(conn, read, subject), messagesOn(conn, write, subject)]);
  const seen = eventsOf(metro, read);
  const known = new Set(seen.map(keyOf));
  const pending = eventsOf(own, write).filter((stored) => !known.has(keyOf(stored)));
  return { events: [...seen, ...pending], subject, stream: write, lastSeq: own.at(-1)?.seq ?? 0 };
};
