import type { Following, FollowQuery } from "@tongbao/bus";
import { serveEventFeed } from "@tongbao/service-kit";
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
    const [events, direct] = follows as [Following, Following];
    const close = serveEventFeed({
      res: reply.raw,
      follows: { events, direct },
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
