import { isToken } from "@tongbao/events";
import type { NoticeEntry } from "@tongbao/projections";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { GatewayContext } from "../context.ts";
import { badRequest, HttpProblem } from "../problems.ts";
import { originOf, parseQuery } from "../query.ts";

/** Who may see a notice's receipts: any city for a broadcast; its origin and target for a directed one. */
const mayRead = (notice: NoticeEntry, city: string) =>
  notice.audience === undefined || notice.origin === city || notice.audience === city;

export const registerReceipts = (app: FastifyInstance, { bus, metro, readModels }: GatewayContext) => {
  const cities = metro.cities.map((c) => c.id);
  const ReceiptsQuery = z.strictObject({ origin: originOf(new Set(cities)).optional() });

  app.get<{ Params: { id: string } }>("/v1/notices/:id/receipts", async (request) => {
    const { id } = request.params;
    if (!isToken(id))
      throw badRequest("invalid notice id", [{ path: "id", message: "is not a valid event id" }]);
    const { origin } = parseQuery(ReceiptsQuery, request.query);
    const notice = await readModels.notice(id, origin);
    // A directed notice between two other cities is answered as if it did not exist.
    if (notice === null || !mayRead(notice, request.city))
      throw new HttpProblem(404, `no notice ${id} you may see`);
    const expected =
      notice.audience === undefined ? cities.filter((city) => city !== notice.origin) : [notice.audience];
    const report = await bus.receipts({ origin: notice.origin, id: notice.id }, expected);
    const recordedAt = new Date(notice.recordedAt);
    const dueAt = new Date(recordedAt.getTime() + metro.acknowledgeWithinSeconds * 1000);
    return {
      notice: {
        id: notice.id,
        origin: notice.origin,
        type: notice.type,
        ...(notice.key === undefined ? {} : { key: notice.key }),
        ...(notice.audience === undefined ? {} : { audience: notice.audience }),
        recordedAt: recordedAt.toISOString(),
      },
      dueAt: dueAt.toISOString(),
      expected,
      acknowledged: report.acknowledged,
      pending: report.pending,
      overdue: Date.now() > dueAt.getTime() ? report.pending : [],
    };
  });
};
