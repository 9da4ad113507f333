import type { ServerResponse } from "node:http";
import type { Following, FollowQuery } from "@tongbao/bus";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { GatewayContext } from "../context.ts";
import { eventTypeList, originOf, parseQuery } from "../query.ts";

const writeOrWait = async (res: ServerResponse, chunk: string) => {
  if (res.write(chunk)) return;
  // A slow reader: stop pulling from the bus until its socket drains (or goes away).
  await new Promise<void>((resolve) => {
    res.once("drain", resolve);
    res.once("close", resolve);
  });
};

/**
 * The live feed as server-sent events: every broadcast and the directed messages addressed to the
 * caller, from the moment the stream opens. `id` is `<stream>-<seq>`, `event` the event type, `data`
 * the CloudEvent. A comment line every `heartbeatMs` keeps proxies from closing an idle feed.
 */
export const registerStream = (app: FastifyInstance, { bus, metro, limits, metrics }: GatewayContext) => {
  const StreamQuery = z.strictObject({
    type: eventTypeList.optional(),
    origin: originOf(new Set(metro.cities.map((c) => c.id))).optional(),
  });
  const open = new Set<() => Promise<void>>();
  app.addHook("preClose", async () => {
    await Promise.all([...open].map((close) => close()));
  });

  app.get("/v1/stream", async (request, reply) => {
    const q = parseQuery(StreamQuery, request.query);
    const filter: FollowQuery = {
      types: q.type,
      origins: q.origin === undefined ? undefined : [q.origin],
      from: "now",
    };
    const sources = {
      events: filter,
      direct: { ...filter, stream: "direct", audience: request.city },
    } as const;
    const started = await Promise.allSettled(Object.values(sources).map((query) => bus.follow(query)));
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
      "cache-control": "no-cache",
      connection: "close",
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
      metrics.liveFeeds.dec();
      await Promise.all(follows.map((f) => f.stop().catch(() => undefined)));
      res.end();
    };
    open.add(close);
    metrics.liveFeeds.inc();
    res.on("close", () => void close());

    const pump = async (stream: string, following: Following) => {
      for await (const { event, seq } of following) {
        if (closed) return;
        await writeOrWait(
          res,
          `id: ${stream}-${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`,
        );
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
