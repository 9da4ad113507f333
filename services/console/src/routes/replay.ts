import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ConsoleContext } from "../context.ts";
import { noticeView } from "../notices.ts";
import { count, eventType, key, moment, parseInput, status } from "../query.ts";

const REPLAY_MAX = 5_000;

/**
 * A window of history into the page: the events whose time is in [since, until), oldest first, at
 * most `limit` (and `truncated` when there were more). Directed messages come without data, as in
 * the feed.
 */
export const registerReplay = (app: FastifyInstance, { bus, cities, limits }: ConsoleContext) => {
  const origin = z.string().refine((c) => c === "metro" || cities.includes(c), "is not a city of this metro");
  const ReplayQuery = z
    .strictObject({
      since: moment,
      until: moment,
      stream: z.enum(["events", "direct"], { error: "must be events or direct" }).default("events"),
      type: eventType.optional(),
      origin: origin.optional(),
      key: key.optional(),
      status: status.optional(),
      limit: count(REPLAY_MAX).default(limits.replayEvents),
    })
    .refine((q) => Date.parse(q.since) < Date.parse(q.until), {
      path: ["until"],
      message: "must be after since",
    });

  app.get("/api/replay", async (request) => {
    const q = parseInput(ReplayQuery, request.query);
    const replayed = bus.replay({
      stream: q.stream,
      ...(q.stream === "direct" && { audience: "*" }),
      since: q.since,
      until: q.until,
      ...(q.type && { types: [q.type] }),
      ...(q.origin && { origins: [q.origin] }),
      ...(q.key && { key: q.key }),
      ...(q.status && { statuses: [q.status] }),
    });
    const events = [];
    let truncated = false;
    for await (const item of replayed) {
      if (events.length === q.limit) {
        truncated = true;
        break; // leaving the loop ends the generator and deletes its consumer
      }
      events.push(noticeView(q.stream, item, cities));
    }
    return { events, truncated };
  });
};
