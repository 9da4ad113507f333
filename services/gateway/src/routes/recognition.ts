import { isToken } from "@tongbao/events";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { GatewayContext } from "../context.ts";
import { badRequest } from "../problems.ts";
import { moment, parseQuery } from "../query.ts";

/** A checkpoint's pass check, and the district risk map now or as of a past moment. */
export const registerRecognition = (app: FastifyInstance, { readModels }: GatewayContext) => {
  const PassQuery = z.strictObject({ at: moment.optional() });
  const RiskQuery = z.strictObject({
    asOf: moment.optional(),
    by: z.enum(["effective", "recorded"], { error: "must be effective or recorded" }).optional(),
  });

  app.get<{ Params: { passId: string } }>("/v1/passes/:passId", async (request) => {
    const { passId } = request.params;
    if (!isToken(passId))
      throw badRequest("invalid pass id", [{ path: "passId", message: "is not a valid pass id" }]);
    const { at } = parseQuery(PassQuery, request.query);
    return readModels.checkPass(passId, { ...(at && { at }), city: request.city });
  });

  app.get("/v1/risk", async (request) => {
    const { asOf, by } = parseQuery(RiskQuery, request.query);
    return readModels.riskMap({ ...(asOf && { asOf }), ...(by && { by }) });
  });
};
