import type { Following } from "@tongbao/bus";
import { serveEventFeed } from "@tongbao/service-kit";
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
    const started = await Promise.allSettled([
      fromSeq("events").then((seq) => bus.follow({ fromSeq: seq })),
      fromSeq("direct").then((seq) => bus.follow({ stream: "direct", audience: "*", fromSeq: seq })),
    ]);
    const follows = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s) => s.status === "rejected");
    if (failed !== undefined) {
      await Promise.all(follows.map((f) => f.stop()));
      throw failed.reason;
    }

    reply.hijack();
    const [events, direct] = follows as [Following, Following];
    const close = serveEventFeed({
      res: reply.raw,
      follows: { events, direct },
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
