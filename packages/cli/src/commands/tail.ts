import { Command } from "commander";
import { ExitCode } from "../exit.ts";
import { eventJson, eventLine, positiveInteger } from "../format.ts";
import { act } from "../program-kit.ts";
import { type FilterOptions, queryOf, withFilters } from "./filters.ts";

export const tailCommand = () =>
  withFilters(
    new Command("tail").description(
      "follow the live feed: one line per event (--json: one JSON document per line)",
    ),
  )
    .option("--from-seq <seq>", "start at this stream sequence instead of now", positiveInteger("--from-seq"))
    .option("--count <n>", "stop after this many events", positiveInteger("--count"))
    .action(
      act<FilterOptions & { fromSeq?: number; count?: number }>(async (session, options) => {
        const bus = await session.bus();
        const query = queryOf(options);
        const following = await bus.follow({
          ...query,
          ...(options.fromSeq === undefined ? { from: "now" as const } : { fromSeq: options.fromSeq }),
        });
        const stop = () => void following.stop();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
        session.out.note(
          `tailing ${query.stream} from ${options.fromSeq === undefined ? "now" : `#${options.fromSeq}`}; Ctrl-C stops`,
        );
        let seen = 0;
        for await (const replayed of following) {
          session.out.result(eventJson(replayed), () => eventLine(replayed));
          if (options.count !== undefined && ++seen >= options.count) break;
        }
        await following.stop();
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        return ExitCode.ok;
      }),
    );
