import { readFile } from "node:fs/promises";
import type { Published } from "@tongbao/bus";
import {
  type EventInput,
  EventValidationError,
  isCityId,
  prepareEvent,
  type TongbaoEvent,
  type ValidationIssue,
} from "@tongbao/events";
import { Command, Option } from "commander";
import { CliError, ExitCode, exitCodeOf, reasonOf } from "../exit.ts";
import { positiveInteger } from "../format.ts";
import { act } from "../program-kit.ts";

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const readInput = async (file: string): Promise<string> => {
  if (file !== "-") return readFile(file, "utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

/** A JSON event, a JSON array of events, or NDJSON; each with where it was, for error messages. */
const parseEvents = (text: string): { raw: unknown; where: string }[] => {
  try {
    const whole: unknown = JSON.parse(text);
    return Array.isArray(whole)
      ? whole.map((raw, i) => ({ raw, where: `[${i}]` }))
      : [{ raw: whole, where: "" }];
  } catch {
    return text.split("\n").flatMap((line, i) => {
      if (line.trim() === "") return [];
      try {
        return [{ raw: JSON.parse(line) as unknown, where: `line ${i + 1}` }];
      } catch {
        throw new EventValidationError([{ path: `line ${i + 1}`, message: "is not JSON" }]);
      }
    });
  }
};

/** As the city, like the gateway: its origin filled in, another city's origin refused. */
const prepareAs = (city: string, raw: unknown, where: string): TongbaoEvent => {
  const at = (path: string) => [where, path].filter((p) => p !== "").join(" ") || "(event)";
  if (!isObject(raw)) throw new EventValidationError([{ path: at(""), message: "must be a JSON object" }]);
  if (raw.origin !== undefined && raw.origin !== city)
    throw new CliError(
      `${at("")}: names another origin; ${city} may publish only as ${city}`,
      ExitCode.denied,
    );
  try {
    return prepareEvent({
      ...raw,
      origin: city,
      source: raw.source ?? `/cities/${city}/tongbao-cli`,
    } as EventInput);
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    throw new EventValidationError(error.issues.map((issue) => ({ ...issue, path: at(issue.path) })));
  }
};

export const publishCommand = () =>
  new Command("publish")
    .description(
      "publish events from a JSON or NDJSON file (- for stdin) as a city; none if any is invalid; stored in atomic batches",
    )
    .argument("<file>", "a JSON event, a JSON array of events, or NDJSON; - reads stdin")
    .addOption(
      new Option("--city <id>", "the publishing city: every event's origin")
        .env("TONGBAO_CITY")
        .makeOptionMandatory(),
    )
    .option(
      "--batch <n>",
      "events stored together, all or none (at most 1000)",
      positiveInteger("--batch"),
      1_000,
    )
    .action(
      act<{ city: string; batch: number }>(async (session, options, [file]) => {
        if (options.batch > 1_000)
          throw new CliError(`--batch must be at most 1000, got ${options.batch}`, ExitCode.usage);
        if (!isCityId(options.city))
          throw new CliError(
            `--city must be a city id, e.g. hangzhou, got "${options.city}"`,
            ExitCode.invalid,
          );
        const parsed = parseEvents(await readInput(file as string));
        if (parsed.length === 0) throw new CliError("no events in the input", ExitCode.invalid);
        const events: TongbaoEvent[] = [];
        const issues: ValidationIssue[] = [];
        for (const { raw, where } of parsed) {
          try {
            events.push(prepareAs(options.city, raw, where));
          } catch (error) {
            if (!(error instanceof EventValidationError)) throw error;
            issues.push(...error.issues);
          }
        }
        if (issues.length > 0) {
          for (const issue of issues) session.out.note(`  ${issue.path}: ${issue.message}`);
          throw new CliError(
            `${issues.length} problem(s) in ${parsed.length} event(s); none was published`,
            ExitCode.invalid,
          );
        }
        const bus = await session.bus({ decide: true });
        const started = performance.now();
        const stored: Published[] = [];
        let failure: { index: number; error: unknown } | undefined;
        for (let from = 0; from < events.length && failure === undefined; from += options.batch) {
          const batch = events.slice(from, from + options.batch);
          try {
            stored.push(...(await bus.publishBatch(batch)));
          } catch (error) {
            failure = { index: from, error };
          }
        }
        const seconds = (performance.now() - started) / 1000;
        const duplicates = stored.filter((p) => p.duplicate).length;
        const failed = events.length - stored.length;
        if (failure !== undefined) {
          const where = parsed[failure.index]?.where || `event ${failure.index + 1}`;
          session.out.note(`  the batch from ${where} on was not stored: ${reasonOf(failure.error)}`);
        }
        session.out.result(
          {
            city: options.city,
            published: stored.length - duplicates,
            duplicates,
            failed,
            seconds,
            events: stored.map((p) => ({ id: p.id, seq: p.seq, duplicate: p.duplicate })),
          },
          () =>
            `published ${stored.length - duplicates} event(s) as ${options.city}` +
            `${duplicates > 0 ? `, ${duplicates} already stored` : ""}` +
            `${failed > 0 ? `, ${failed} not stored` : ""} in ${seconds.toFixed(2)} s`,
        );
        if (failure === undefined) return ExitCode.ok;
        return exitCodeOf(failure.error);
      }),
    );
