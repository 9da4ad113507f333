import type { SourceReport } from "@tongbao/bus";
import { Command } from "commander";
import { ExitCode } from "../exit.ts";
import { positiveInteger } from "../format.ts";
import { act } from "../program-kit.ts";

/** A source read through another domain's API ($JS.<domain>.API) is that city's (or the hub's) link. */
const linkOf = (source: SourceReport) => /^\$JS\.([^.]+)\.API$/.exec(source.api ?? "")?.[1] ?? source.name;

const size = (bytes: number) =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 ** 2
      ? `${(bytes / 1024).toFixed(1)} KiB`
      : `${(bytes / 1024 ** 2).toFixed(1)} MiB`;

export const streamsCommand = () =>
  new Command("streams")
    .description(
      "stream sizes, consumers with their backlogs, and stale links to the hub (exit 6 when one is)",
    )
    .option(
      "--stale-after <seconds>",
      "a source not heard from for this long is stale",
      positiveInteger("--stale-after"),
      30,
    )
    .action(
      act<{ staleAfter: number }>(async (session, options) => {
        const report = await (await session.bus()).streamsReport();
        const isStale = (s: SourceReport) => s.activeMs === null || s.activeMs > options.staleAfter * 1000;
        const stale = report.flatMap((stream) =>
          stream.sources
            .filter(isStale)
            .map((s) => ({ stream: stream.name, link: linkOf(s), activeMs: s.activeMs })),
        );
        session.out.result({ streams: report, stale }, () =>
          report.flatMap((stream) => [
            `${stream.name}  ${stream.messages} messages, ${size(stream.bytes)}, #${stream.firstSeq}–#${stream.lastSeq}`,
            ...stream.consumers.map(
              (c) =>
                `  consumer ${c.name}${c.durable ? "" : " (ephemeral)"}: ${c.numPending} pending, ${c.numAckPending} awaiting ack` +
                `${c.numRedelivered > 0 ? `, ${c.numRedelivered} redelivered` : ""}`,
            ),
            ...stream.sources.map(
              (s) =>
                `  source ${linkOf(s)} (${s.name}): ${s.activeMs === null ? "never heard from" : `heard ${(s.activeMs / 1000).toFixed(1)} s ago`}, lag ${s.lag}` +
                `${isStale(s) ? "  STALE" : ""}`,
            ),
          ]),
        );
        return stale.length === 0 ? ExitCode.ok : ExitCode.negative;
      }),
    );
