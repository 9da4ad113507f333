import { DeadLetterReason } from "@tongbao/bus";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { requireCsrf } from "../auth.ts";
import type { ConsoleContext } from "../context.ts";
import { deadLetterView } from "../dead-letters.ts";
import { HttpProblem } from "../problems.ts";
import { count, parseInput } from "../query.ts";

const consumer = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, "is not a consumer name");
const dlqSeq = z.coerce.number().int("must be a whole number").positive("must be positive");

const Selector = z.union(
  [
    z.strictObject({ dlqSeq }),
    z.strictObject({ consumer }),
    z.strictObject({ all: z.literal(true, { error: "must be true" }) }),
  ],
  { error: 'send one of {"dlqSeq": n}, {"consumer": "<name>"} or {"all": true}' },
);

/** Dead letters: list, look at one, re-drive or drop them (POSTs with the CSRF header). */
export const registerDeadLetters = (app: FastifyInstance, { deadLetters }: ConsoleContext) => {
  const ListQuery = z.strictObject({
    consumer: consumer.optional(),
    reason: z
      .enum(Object.values(DeadLetterReason) as [DeadLetterReason, ...DeadLetterReason[]], {
        error: `must be one of: ${Object.values(DeadLetterReason).join(", ")}`,
      })
      .optional(),
    limit: count(1_000).default(200),
  });

  app.get("/api/dead-letters", async (request) => {
    const filter = parseInput(ListQuery, request.query);
    const letters = await deadLetters.list(filter);
    return { deadLetters: letters.map((letter) => deadLetterView(letter)) };
  });

  app.get<{ Params: { dlqSeq: string } }>("/api/dead-letters/:dlqSeq", async (request) => {
    const { dlqSeq: seq } = parseInput(z.object({ dlqSeq }), request.params, "dead letter");
    const letter = await deadLetters.show(seq);
    if (letter === null) throw new HttpProblem(404, `no dead letter ${seq}`);
    return deadLetterView(letter, true);
  });

  app.post("/api/dead-letters/redrive", async (request) => {
    requireCsrf(request);
    const selector = parseInput(Selector, request.body, "selector");
    const outcome = await deadLetters.redrive(selector);
    request.log.info({ operator: request.operator, selector, ...outcome }, "dead letters re-driven");
    return outcome;
  });

  app.post("/api/dead-letters/drop", async (request) => {
    requireCsrf(request);
    const selector = parseInput(Selector, request.body, "selector");
    const outcome = await deadLetters.drop(selector);
    request.log.info({ operator: request.operator, selector, ...outcome }, "dead letters dropped");
    return outcome;
  });
};
