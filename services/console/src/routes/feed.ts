import type { ServerResponse } from "node:http";
import type { Following } from "@tongbao/bus";
import type { FastifyInstance } from "fastify";
import type { ConsoleContext } from "../context.ts";
import { noticeView } from "../notices.ts";

const writeOrWait = async (res: ServerResponse, chunk: string) => {
  if (res.write(chunk)) return;
  // A slow browser: stop pulling from the bus until its socket drains (or goes away).
  await new Promise<void>((resolve) => {
    res.once("drain", resolve);
    res.once("close", resolve);
  });
};

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
    const res = reply.raw;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    });
    res.write(": connected\n\n");
    const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), limits.heartbeatMs);
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      open.delete(close);
      await Promise.all(follows.map((f) => f.stop().catch(() => undefined)));
      res.end();
    };
    open.add(close);
    res.on("close", () => void close());

    const pump = async (stream: "events" | "direct", following: Following) => {
      for await (const replayed of following) {
        if (closed) return;
        const view = noticeView(stream, replayed, cities);
        await writeOrWait(res, `id: ${view.ref}\nevent: notice\ndata: ${JSON.stringify(view)}\n\n`);
      }
    };
    const [events, direct] = follows as [Following, Following];
    Promise.all([pump("events", events), pump("direct", direct)]).then(
      () => close(),
      (error: unknown) => {
        request.log.error({ err: error }, "live feed failed");
        void close();
      },
    );
  });
};
