import { serveEventFeed, startFollows } from "@tongbao/service-kit";
import type { FastifyInstance } from "fastify";
import type { ConsoleContext } from "../context.ts";
import { noticeView } from "../notices.ts";

/**
 * The live feed as server-sent events (`event: notice`, data a NoticeView): the recent history of
 * broadcasts and of every city's directed messages, then everything as it is stored. The page keeps
 * them by `ref`, so a reconnect that sends the history again duplicates nothing.
 */
export const registerFeed = (app: FastifyInstance, { bus, cities, limits }: ConsoleContext) => {
  const open = new Set<() => Promise<void>>();
  app.addHook("preClose", async () => {
    await Promise.all([...open].map((close) => close()));
  });

  app.get("/api/feed", async (request, reply) => {
    const fromSeq = async (stream: "events" | "direct") =>
      Math.max(1, (await bus.lastSeq(stream)) - limits.feedBacklog + 1);
    const follows = await startFollows({
      events: async () => bus.follow({ fromSeq: await fromSeq("events") }),
      direct: async () => bus.follow({ stream: "direct", audience: "*", fromSeq: await fromSeq("direct") }),
    });
    reply.hijack();
    const close = serveEventFeed({
      res: reply.raw,
      follows,
      heartbeatMs: limits.heartbeatMs,
      cacheControl: "no-store",
      format: (stream, replayed) => {
        const view = noticeView(stream, replayed, cities);
        return `id: ${view.ref}\nevent: notice\ndata: ${JSON.stringify(view)}\n\n`;
      },
      onError: (error) => request.log.error({ err: error }, "live feed failed"),
      onClose: () => open.delete(close),
    });
    open.add(close);
  });
};
