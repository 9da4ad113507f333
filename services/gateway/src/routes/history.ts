import type { Bus, ReplayedEvent, ReplayQuery } from "@tongbao/bus";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { GatewayContext } from "../context.ts";
import { badRequest } from "../problems.ts";
import { eventTypeList, flag, key, moment, originOf, parseQuery, status } from "../query.ts";

type StreamName = "events" | "direct";

// A cursor is where the next page starts in its stream; opaque to callers, so it may change shape.
const encodeCursor = (stream: StreamName, seq: number) =>
  Buffer.from(JSON.stringify({ stream, seq })).toString("base64url");

const decodeCursor = (cursor: string, stream: StreamName): number => {
  try {
    const decoded = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as {
      stream?: unknown;
      seq?: unknown;
    };
    if (decoded.stream === stream && Number.isSafeInteger(decoded.seq) && (decoded.seq as number) > 0)
      return decoded.seq as number;
  } catch {}
  throw badRequest("invalid query parameters", [
    { path: "cursor", message: "is not a cursor this route gave for the same directed= setting" },
  ]);
};

/** Two replays of one stream, merged in stream order (their sequences are comparable). */
async function* inStreamOrder(...sources: AsyncGenerator<ReplayedEvent>[]): AsyncGenerator<ReplayedEvent> {
  const heads = await Promise.all(sources.map((s) => s.next()));
  try {
    for (;;) {
      let next = -1;
      heads.forEach((head, i) => {
        const best = next === -1 ? undefined : heads[next];
        if (!head.done && (best === undefined || best.done || head.value.seq < best.value.seq)) next = i;
      });
      const head = heads[next];
      const source = sources[next];
      if (head === undefined || head.done || source === undefined) return;
      yield head.value;
      heads[next] = await source.next();
    }
  } finally {
    await Promise.all(sources.map((s) => s.return(undefined)));
  }
}

/**
 * Directed messages the caller may read: those addressed to it, and those it sent. Never a message
 * between two other cities: each replay is filtered on the server by the caller's place in the subject.
 */
const directedFor = (bus: Bus, city: string, query: ReplayQuery) => {
  const sources: AsyncGenerator<ReplayedEvent>[] = [];
  const origins = query.origins;
  if (origins === undefined || origins[0] !== city)
    sources.push(bus.replay({ ...query, stream: "direct", audience: city }));
  if (origins === undefined || origins[0] === city)
    sources.push(bus.replay({ ...query, stream: "direct", audience: "*", origins: [city] }));
  return inStreamOrder(...sources);
};

export const registerHistory = (app: FastifyInstance, { bus, metro, limits }: GatewayContext) => {
  const HistoryQuery = z.strictObject({
    type: eventTypeList.optional(),
    origin: originOf(new Set(metro.cities.map((c) => c.id))).optional(),
    key: key.optional(),
    status: status.optional(),
    since: moment.optional(),
    until: moment.optional(),
    limit: z.coerce
      .number({ error: "must be a number" })
      .int("must be a whole number")
      .min(1, "must be at least 1")
      .max(limits.pageEvents, `must be at most ${limits.pageEvents}`)
      .default(100),
    cursor: z.string({ error: "must be given once" }).optional(),
    directed: flag.default(false),
  });

  app.get("/v1/events", async (request) => {
    const q = parseQuery(HistoryQuery, request.query);
    const stream: StreamName = q.directed ? "direct" : "events";
    const query: ReplayQuery = {
      types: q.type,
      origins: q.origin === undefined ? undefined : [q.origin],
      key: q.key,
      statuses: q.status === undefined ? undefined : [q.status],
      since: q.since,
      until: q.until,
      fromSeq: q.cursor === undefined ? undefined : decodeCursor(q.cursor, stream),
    };
    const replayed = q.directed ? directedFor(bus, request.city, query) : bus.replay(query);
    const events = [];
    let cursor: string | null = null;
    for await (const { event, seq } of replayed) {
      if (events.length === q.limit) {
        cursor = encodeCursor(stream, seq);
        break;
      }
      events.push(event);
    }
    return { events, cursor };
  });
};
