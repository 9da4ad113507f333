import type { DeadLetterReason, DeadLetterSelector, StoredDeadLetter } from "@tongbao/bus";
import { Command } from "commander";
import { CliError, ExitCode } from "../exit.ts";
import { positiveInteger } from "../format.ts";
import { table } from "../output.ts";
import { act } from "../program-kit.ts";

/** What the payload is about, without its data: a dead letter may copy personal data. */
const aboutOf = (letter: StoredDeadLetter) => {
  try {
    const event = JSON.parse(letter.payload ?? "null") as {
      type?: string;
      origin?: string;
      id?: string;
    } | null;
    return event === null
      ? "(payload gone)"
      : `${event.origin ?? "?"} ${event.type ?? "?"} ${event.id ?? "?"}`;
  } catch {
    return "(not JSON)";
  }
};

const letterLines = (letters: readonly StoredDeadLetter[]) =>
  letters.length === 0
    ? ["no dead letters"]
    : table([
        ["DLQ#", "CONSUMER", "FROM", "REASON", "ATTEMPTS", "DEAD AT", "EVENT", "RE-DRIVEN"],
        ...letters.map((l) => [
          String(l.dlqSeq),
          l.consumer,
          `${l.stream}#${l.seq}`,
          l.reason,
          String(l.attempts),
          l.deadAt,
          aboutOf(l),
          l.redriven?.at ?? "",
        ]),
      ]);

interface SelectorOptions {
  readonly consumer?: string;
  readonly reason?: DeadLetterReason;
  readonly all?: boolean;
}

const selectorOf = (dlqSeq: number | undefined, options: SelectorOptions): DeadLetterSelector => {
  const selector = {
    ...(dlqSeq === undefined ? {} : { dlqSeq }),
    ...(options.consumer === undefined ? {} : { consumer: options.consumer }),
    ...(options.reason === undefined ? {} : { reason: options.reason }),
    ...(options.all ? { all: true as const } : {}),
  };
  if (Object.keys(selector).length === 0)
    throw new CliError("say which: a DLQ sequence, --consumer, --reason, or --all", ExitCode.usage);
  return selector;
};

const selecting = (command: Command) =>
  command
    .argument("[dlqSeq]", "one dead letter, by its DEADLETTER sequence", positiveInteger("dlqSeq"))
    .option("--consumer <name>", "every dead letter of this consumer, e.g. hangzhou-relay")
    .option(
      "--reason <reason>",
      "handler-failed, undecodable, impersonation, refused, max-deliveries or terminated",
    )
    .option("--all", "every dead letter");

export const dlqCommand = () =>
  new Command("dlq")
    .description("dead letters: list, show, re-drive (once each), drop")
    .addCommand(
      new Command("list")
        .description("dead letters, oldest first, with whether each was re-driven")
        .option("--consumer <name>", "only this consumer's")
        .option("--reason <reason>", "only for this reason")
        .option("--pending", "only those not re-driven yet")
        .option("--limit <n>", "the newest n", positiveInteger("--limit"), 1_000)
        .action(
          act<{ consumer?: string; reason?: string; pending?: boolean; limit: number }>(
            async (session, options) => {
              const bus = await session.bus();
              const letters = (
                await bus.deadLetters.list({
                  limit: options.limit,
                  ...(options.consumer === undefined ? {} : { consumer: options.consumer }),
                  ...(options.reason === undefined ? {} : { reason: options.reason }),
                })
              ).filter((l) => !options.pending || l.redriven === undefined);
              session.out.result(
                letters.map(({ payload: _payload, ...letter }) => letter),
                () => letterLines(letters),
              );
              return ExitCode.ok;
            },
          ),
        ),
    )
    .addCommand(
      new Command("show")
        .description("one dead letter; the payload only with --payload (it may hold personal data)")
        .argument("<dlqSeq>", "its DEADLETTER sequence", positiveInteger("dlqSeq"))
        .option("--payload", "include the stored message")
        .action(
          act<{ payload?: boolean }>(async (session, options, [dlqSeq]) => {
            const letter = await (await session.bus()).deadLetters.show(dlqSeq as number);
            if (letter === null) throw new CliError(`no dead letter #${dlqSeq}`, ExitCode.notFound);
            const { payload, ...rest } = letter;
            const shown = options.payload ? letter : rest;
            session.out.result(shown, () => [
              ...letterLines([letter]),
              `error: ${letter.error}`,
              ...(options.payload ? [`payload: ${payload ?? "(gone)"}`] : []),
            ]);
            return ExitCode.ok;
          }),
        ),
    )
    .addCommand(
      selecting(
        new Command("redrive").description("send dead letters back to their consumer; never twice"),
      ).action(
        act<SelectorOptions>(async (session, options, [dlqSeq]) => {
          const selector = selectorOf(dlqSeq as number | undefined, options);
          const outcome = await (await session.bus()).deadLetters.redrive(selector);
          session.out.result(
            outcome,
            () =>
              `re-driven ${outcome.redriven}, skipped ${outcome.skipped} (re-driven before, or no payload)`,
          );
          return outcome.redriven + outcome.skipped === 0 && selector.dlqSeq !== undefined
            ? ExitCode.notFound
            : ExitCode.ok;
        }),
      ),
    )
    .addCommand(
      selecting(new Command("drop").description("delete dead letters for good")).action(
        act<SelectorOptions>(async (session, options, [dlqSeq]) => {
          const selector = selectorOf(dlqSeq as number | undefined, options);
          const outcome = await (await session.bus()).deadLetters.drop(selector);
          session.out.result(outcome, () => `dropped ${outcome.dropped}`);
          return outcome.dropped === 0 && selector.dlqSeq !== undefined ? ExitCode.notFound : ExitCode.ok;
        }),
      ),
    );
