import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { Command } from "commander";
import { ExitCode } from "../exit.ts";
import { eventJson, eventLine, moment, positiveInteger, seconds } from "../format.ts";
import { act } from "../program-kit.ts";
import { startProgress } from "../progress.ts";
import { type FilterOptions, queryOf, withFilters } from "./filters.ts";

interface ReplayOptions extends FilterOptions {
  readonly since?: string;
  readonly until?: string;
  readonly recordedSince?: string;
  readonly recordedUntil?: string;
  readonly fromSeq?: number;
  readonly toSeq?: number;
  readonly out?: string;
}

export const replayCommand = () =>
  withFilters(
    new Command("replay").description(
      "history of a time window: into an NDJSON file (--out) with progress, or to stdout",
    ),
  )
    .option("--since <time>", "events that happened at or after this time (event time)", moment("--since"))
    .option("--until <time>", "… and before this time", moment("--until"))
    .option("--recorded-since <time>", "stored at or after this time", moment("--recorded-since"))
    .option("--recorded-until <time>", "stored before this time", moment("--recorded-until"))
    .option("--from-seq <seq>", "from this stream sequence", positiveInteger("--from-seq"))
    .option("--to-seq <seq>", "up to this stream sequence (included)", positiveInteger("--to-seq"))
    .option("--out <file>", "write the events (CloudEvents JSON, one per line) to this file")
    .action(
      act<ReplayOptions>(async (session, options) => {
        const { out } = session;
        const bus = await session.bus();
        const query = queryOf(options);
        const total = options.toSeq ?? (await bus.lastSeq(query.stream));
        const file = options.out === undefined ? undefined : createWriteStream(options.out);
        // A bar only when the events do not go to the same terminal.
        const progress =
          file !== undefined || !out.tty
            ? startProgress(out, "replay", total, options.fromSeq ?? 0)
            : undefined;
        const started = performance.now();
        let count = 0;
        let first: number | undefined;
        let last: number | undefined;
        let refused = 0;
        try {
          for await (const replayed of bus.replay({
            ...query,
            ...(options.since === undefined ? {} : { since: options.since }),
            ...(options.until === undefined ? {} : { until: options.until }),
            ...(options.recordedSince === undefined ? {} : { recordedSince: options.recordedSince }),
            ...(options.recordedUntil === undefined ? {} : { recordedUntil: options.recordedUntil }),
            ...(options.fromSeq === undefined ? {} : { fromSeq: options.fromSeq }),
            ...(options.toSeq === undefined ? {} : { toSeq: options.toSeq }),
            // Left out, never shown: a forgery or an unreadable message, said on stderr.
            onRefused: (r) => {
              refused++;
              out.note(`left out #${r.seq} (${r.subject}): ${r.reason}: ${r.error}`);
            },
          })) {
            count++;
            first ??= replayed.seq;
            last = replayed.seq;
            if (file !== undefined) {
              if (!file.write(`${JSON.stringify(replayed.event)}\n`)) await once(file, "drain");
            } else {
              out.result(eventJson(replayed), () => eventLine(replayed));
            }
            progress?.update(replayed.seq, count);
          }
        } finally {
          progress?.update(total, count);
          progress?.stop();
          if (file !== undefined) {
            file.end();
            await once(file, "close");
          }
        }
        const elapsed = (performance.now() - started) / 1000;
        const summary = {
          events: count,
          firstSeq: first ?? null,
          lastSeq: last ?? null,
          seconds: elapsed,
          eventsPerSecond: elapsed > 0 ? Math.round(count / elapsed) : 0,
          refused,
          ...(options.out === undefined ? {} : { out: options.out }),
        };
        const line = `replayed ${count} event(s)${first === undefined ? "" : ` (#${first}–#${last})`}${options.out === undefined ? "" : ` into ${options.out}`} in ${seconds(elapsed * 1000)} (${summary.eventsPerSecond}/s)${refused === 0 ? "" : `; ${refused} left out`}`;
        if (file !== undefined) out.result(summary, () => line);
        else out.note(line);
        return ExitCode.ok;
      }),
    );
