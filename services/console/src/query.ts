import { EventStatus, isEventType, isToken } from "@tongbao/events";
import { z } from "zod";
import { badRequest } from "./problems.ts";

/** Parses a query string or body; a 400 names every offending field, and unknown ones too. */
export const parseInput = <S extends z.ZodType>(
  schema: S,
  input: unknown,
  what = "query parameters",
): z.output<S> => {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: key, message: "is not known here" }))
      : [{ path: issue.path.join("."), message: issue.message }],
  );
  throw badRequest(`invalid ${what}`, issues);
};

export const moment = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with offset" });
export const key = z.string().refine(isToken, "is not a valid key");
export const eventType = z.string().refine(isEventType, "is not an event type of the catalog");
export const status = z.enum(EventStatus.options, {
  error: `must be one of: ${EventStatus.options.join(", ")}`,
});
export const count = (max: number) =>
  z.coerce
    .number()
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(max, `must be at most ${max}`);
