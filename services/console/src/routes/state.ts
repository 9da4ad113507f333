import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { ConsoleContext } from "../context.ts";
import { key, moment, parseInput } from "../query.ts";

/**
 * What holds now, or held at a past moment, from the read models: the risk map, a pass check,
 * the measures in effect, and open trace requests (counts and due times only).
 */
export const registerState = (app: FastifyInstance, { readModels, cities }: ConsoleContext) => {
  const RiskQuery = z.strictObject({
    asOf: moment.optional(),
    by: z.enum(["effective", "recorded"], { error: "must be effective or recorded" }).optional(),
  });
  const PassQuery = z.strictObject({
    at: moment.optional(),
    city: z.enum(cities as [string, ...string[]], { error: "is not a city of this metro" }).optional(),
  });
  const MeasuresQuery = z.strictObject({ asOf: moment.optional() });

  app.get("/api/risk", async (request) => {
    const { asOf, by } = parseInput(RiskQuery, request.query);
    return readModels.riskMap({ ...(asOf && { asOf }), ...(by && { by }) });
  });

  app.get<{ Params: { passId: string } }>("/api/passes/:passId", async (request) => {
    const { passId } = parseInput(z.object({ passId: key }), request.params, "pass id");
    const { at, city } = parseInput(PassQuery, request.query);
    return readModels.checkPass(passId, { ...(at && { at }), ...(city && { city }) });
  });

  app.get("/api/measures", async (request) => {
    const { asOf } = parseInput(MeasuresQuery, request.query);
    return { measures: await readModels.measuresInEffect(asOf === undefined ? {} : { asOf }) };
  });

  app.get("/api/traces", async () => {
    const now = Date.now();
    const open = await readModels.openTraceRequests();
    return {
      open: open.map((r) => ({
        requestId: r.requestId,
        requester: r.requester,
        target: r.target,
        caseId: r.caseId,
        contacts: r.contacts,
        answered: r.answered,
        dueBy: r.dueBy,
        overdue: Date.parse(r.dueBy) < now,
      })),
    };
  });
};
