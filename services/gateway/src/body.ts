import type { FastifyInstance } from "fastify";
import { badRequest } from "./problems.ts";

export const ContentTypes = {
  event: "application/cloudevents+json",
  json: "application/json",
  batch: "application/cloudevents-batch+json",
} as const;

export const INGEST_TYPES: readonly string[] = [ContentTypes.event, ContentTypes.json, ContentTypes.batch];

const utf8 = new TextDecoder("utf-8", { fatal: true });

// A key that would reach an object's prototype when the parsed body is spread or merged.
const refusePrototypeKeys = (key: string, value: unknown) => {
  if (key === "__proto__") throw new SyntaxError('the key "__proto__" is not allowed');
  return value;
};

// The reviver costs a call per key, a third of the parse of a typical event. A small body without
// the key spelled out, and without a \u escape that could spell it, cannot carry it and cannot nest
// deeply enough to matter: it parses without one.
const CAREFUL_ABOVE_CHARS = 4_096;
const carefully = (text: string) =>
  text.length > CAREFUL_ABOVE_CHARS || text.includes("__proto__") || text.includes("\\u");

/**
 * JSON from raw bytes, with errors that say what is wrong but never quote the body (it may hold
 * personal data, and errors reach logs): not UTF-8, empty, or not JSON at some position.
 */
export const parseJsonBody = (body: Buffer): unknown => {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw badRequest("the body is not valid UTF-8");
  }
  if (text.trim() === "") throw badRequest("the body is empty");
  try {
    return carefully(text) ? JSON.parse(text, refusePrototypeKeys) : JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError && error.message.includes("__proto__")) throw badRequest(error.message);
    // Found by the fuzz run (test/hardening/input): JSON nested a few thousand levels deep overflows
    // the parser's stack (with a reviver, JSON.parse recurses). It is valid JSON, so say what is wrong
    // with it instead of "not valid JSON". No event of the catalog nests more than a few levels.
    if (error instanceof RangeError) throw badRequest("the body is nested too deeply");
    const position = error instanceof Error ? /position (\d+)/.exec(error.message)?.[1] : undefined;
    throw badRequest(
      `the body is not valid JSON${position === undefined ? "" : ` (at position ${position})`}`,
    );
  }
};

/** Only the three ingest content types are accepted; any other is refused by fastify with 415. */
export const registerBodyParsers = (app: FastifyInstance) => {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...INGEST_TYPES], { parseAs: "buffer" }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(body as Buffer));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
};

/** The media type of a request, without parameters such as charset. */
export const mediaTypeOf = (header: string | undefined): string =>
  (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
