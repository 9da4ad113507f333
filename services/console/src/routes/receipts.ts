import { isCityId, isToken } from "@tongbao/events";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ConsoleContext } from "../context.ts";
import { expectedReceivers } from "../notices.ts";
import { parseInput } from "../query.ts";

const noticeRef = z.string().refine((ref) => {
  const [origin, id, ...rest] = ref.split(".");
  return rest.length === 0 && id !== undefined && isToken(id) && isCityId(origin ?? "");
}, "each notice is <origin>.<event id>");

/**
 * Receipts of many notices at once (the page asks for those still incomplete): who acknowledged and
 * when, who is pending, and who is overdue (pending past metro.acknowledgeWithinSeconds after the
 * notice was stored). A notice the read models have not indexed yet is left out; ask again.
 */
export const registerReceipts = (
  app: FastifyInstance,
  { bus, metro, cities, readModels, limits }: ConsoleContext,
) => {
  const ReceiptsQuery = z.strictObject({
    notices: z
      .string({ error: "list the notices as <origin>.<event id>, separated by commas" })
      .transform((list) => list.split(","))
      .pipe(z.array(noticeRef).max(limits.receiptNotices, `at most ${limits.receiptNotices} notices`)),
  });

  app.get("/api/receipts", async (request) => {
    const { notices } = parseInput(ReceiptsQuery, request.query);
    const reports = await Promise.all(
      notices.map(async (ref) => {
        const [origin, id] = ref.split(".") as [string, string];
        const notice = await readModels.notice(id, origin);
        if (notice === null) return [];
        const expected = expectedReceivers(notice, cities);
        const report = await bus.receipts({ origin, id }, expected);
        const dueAt = Date.parse(notice.recordedAt) + metro.acknowledgeWithinSeconds * 1000;
        return [
          {
            notice: ref,
            dueAt: new Date(dueAt).toISOString(),
            expected,
            acknowledged: report.acknowledged,
            pending: report.pending,
            overdue: Date.now() > dueAt ? report.pending : [],
          },
        ];
      }),
    );
    return { receipts: reports.flat() };
  });
};
