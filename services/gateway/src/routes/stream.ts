import type { FollowQuery } from "@tongbao/bus";
import { serveEventFeed, startFollows } from "@tongbao/service-kit";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { GatewayContext } from "../context.ts";
import { eventTypeList, originOf, parseQuery } from "../query.ts";

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
    const follows = await startFollows({
      events: () => bus.follow(filter),
      direct: () => bus.follow({ ...filter, stream: "direct", audience: request.city }),
    });
    reply.hijack();
    const close = serveEventFeed({
      res: reply.raw,
      follows,
      heartbeatMs: limits.heartbeatMs,
      format: (stream, { event, seq }) =>
        `id: ${stream}-${seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`,
      onError: (error) => request.log.error({ err: error }, "live feed failed"),
      onClose: () => {
        open.delete(close);
        metrics.liveFeeds.dec();
      },
    });
    open.add(close);
    metrics.liveFeeds.inc();
  });
};
