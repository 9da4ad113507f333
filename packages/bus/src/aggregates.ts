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

/** What an append to an aggregate expects: nothing stored on these subjects after `seq`. */
export interface AggregateExpectation {
  readonly subject: string;
  readonly seq: number;
}

export interface AggregateHistory {
  /** Its events in log order: the metro's view, then what this connection stored not yet in it. */
  readonly events: readonly StoredEvent[];
  /**
   * Every subject of the aggregate, as one wildcard, and its last sequence in the stream this
   * connection appends to (0: none). Absent for a decider that reads only a few subjects others write.
   */
  readonly expectation?: AggregateExpectation;
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
  event: TongbaoEvent,
  deadlineMs: number,
): Promise<AggregateHistory> =>
  untilDeadline(`read ${decider.aggregate} ${event.subject}`, deadlineMs, () =>
    decider.reads === undefined
      ? readWhole(conn, decider, event.subject)
      : readLast(conn, decider, decider.reads(event)),
  );

const merged = (seen: StoredEvent[], own: StoredEvent[]) => {
  const known = new Set(seen.map(keyOf));
  return [...seen, ...own.filter((stored) => !known.has(keyOf(stored)))];
};

const readWhole = async (conn: Connection, decider: AnyDecider, key: string): Promise<AggregateHistory> => {
  const subject = aggregateSubject(decider.aggregate, key, decider.directed);
  const { read, write } = placeOf(conn, decider.directed);
  if (read === write) {
    const stored = await messagesOn(conn, read, subject);
    return { events: eventsOf(stored, read), expectation: { subject, seq: stored.at(-1)?.seq ?? 0 } };
  }
  const [metro, own] = await Promise.all([messagesOn(conn, read, subject), messagesOn(conn, write, subject)]);
  return {
    events: merged(eventsOf(metro, read), eventsOf(own, write)),
    expectation: { subject, seq: own.at(-1)?.seq ?? 0 },
  };
};

/** The last event on each subject, by a direct get a city may make on what is addressed to it. */
const readLast = async (
  conn: Connection,
  decider: AnyDecider,
  subjects: readonly string[],
): Promise<AggregateHistory> => {
  const { read, write } = placeOf(conn, decider.directed);
  const lastOn = async (stream: string) => {
    const found = await Promise.all(
      subjects.map((subject) => conn.jsm.direct.getMessage(stream, { last_by_subj: subject })),
    );
    return eventsOf(
      found.filter((m) => m !== null).sort((a, b) => a.seq - b.seq),
      stream,
    );
  };
  if (subjects.length === 0) return { events: [] };
  if (read === write) return { events: await lastOn(read) };
  const [metro, own] = await Promise.all([lastOn(read), lastOn(write)]);
  return { events: merged(metro, own) };
};
