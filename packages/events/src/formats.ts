import { z } from "zod";

// Anything that becomes a NATS subject token or a KV key must be safe to put there: no dots,
// wildcards (`*`, `>`) or whitespace, never empty. These patterns are the single place that says so.
const TOKEN = /^[A-Za-z0-9_-]{1,128}$/;
const CITY = /^[a-z][a-z0-9-]{0,39}$/;
const HASH = /^[a-f0-9]{64}$/;
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
// Eleven or more digits in a row look like a phone or ID-card number, not a pseudonym.
const LOOKS_LIKE_PHONE_OR_ID = /\d{11,}/;

/** The reserved origin of events that Tongbao itself raises (overdue notices); no city may use it. */
export const METRO_ORIGIN = "metro";

export const cityId = z
  .string()
  .regex(CITY, "must be a city id: lower-case letters, digits and '-', starting with a letter, at most 40");

// A UUID may hold twelve digits in its last group by chance: it is an id Tongbao made, not a number.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value that names something in a subject or a key looks like a phone or ID-card number. */
const looksPersonal = (value: string): boolean => LOOKS_LIKE_PHONE_OR_ID.test(value) && !UUID.test(value);

/**
 * An aggregate key or other id that ends up in a subject: a case id, a pass id, a district id. Subjects
 * are listed, indexed and kept for years, so a phone or ID-card number is never one.
 */
export const token = z
  .string()
  .regex(TOKEN, "must be 1-128 characters of A-Z, a-z, 0-9, '_' or '-' (no dots, spaces or wildcards)")
  .refine((value) => !looksPersonal(value), {
    message:
      "looks like a phone or ID-card number (eleven or more digits in a row): an id must never be personal data",
  });

/** A pseudonymous reference to a person or holder: a keyed hash, never a name or a number. */
export const pseudonym = z
  .string()
  .regex(
    /^[A-Za-z0-9_-]{16,128}$/,
    "must be a pseudonymous reference: 16-128 characters of A-Z, a-z, 0-9, '_', '-'",
  )
  .refine((value) => !LOOKS_LIKE_PHONE_OR_ID.test(value), {
    message:
      "looks like a phone or ID-card number: send a pseudonymous reference (a keyed hash), never the number",
  });

/** A SHA-256 of a phone number or a plate, hex, so that cities can match without seeing it. */
export const sha256Hex = z.string().regex(HASH, "must be a SHA-256 digest in lower-case hex (64 characters)");

export const dateTime = z.iso.datetime({
  offset: true,
  error: "must be an ISO 8601 date-time with a UTC offset, e.g. 2020-02-03T10:00:00+08:00",
});

export const date = z.iso.date({ error: "must be an ISO 8601 date, e.g. 2020-02-03" });

export const text = (max: number) =>
  z.string().trim().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

export const count = z.number().int("must be a whole number").min(0, "must not be negative");

export const quantity = z.number().positive("must be greater than zero").finite();

export const traceparent = z
  .string()
  .regex(TRACEPARENT, "must be a W3C traceparent, e.g. 00-<32 hex>-<16 hex>-01");

export const isToken = (value: string): boolean => TOKEN.test(value);
export const isCityId = (value: string): boolean => CITY.test(value);
