import { EventStatus, isEventType, isToken, METRO_ORIGIN } from "@tongbao/events";
import { z } from "zod";
import { badRequest } from "./problems.ts";

/** Parses a route's query string; a 400 names every offending parameter, and unknown ones too. */
export const parseQuery = <S extends z.ZodType>(schema: S, query: unknown): z.output<S> => {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ path: key, message: "is not a parameter of this route" }))
      : [{ path: issue.path.join("."), message: issue.message }],
  );
  throw badRequest("invalid query parameters", issues);
};

export const moment = z.iso.datetime({ offset: true, error: "must be an ISO 8601 date-time with offset" });

export const eventTypeList = z
  .string({ error: "must be given once" })
  .transform((value) => value.split(","))
  .refine((types) => types.every(isEventType), "must be event types of the catalog, separated by commas");

/** A city of the metro, or the metro itself (the origin of Tongbao's own events). */
export const originOf = (cities: ReadonlySet<string>) =>
  z
    .string({ error: "must be given once" })
    .refine((origin) => cities.has(origin) || origin === METRO_ORIGIN, "is not a city of this metro");

export const key = z.string({ error: "must be given once" }).refine(isToken, "is not a valid key");

export const status = z.enum(EventStatus.options, {
  error: `must be one of: ${EventStatus.options.join(", ")}`,
});

export const flag = z
  .enum(["true", "false"], { error: "must be true or false" })
  .transform((v) => v === "true");
