import { Command, Option } from "commander";
import { dlqCommand } from "./commands/dlq.ts";
import { drillCommand } from "./commands/drill.ts";
import { passCommand } from "./commands/pass.ts";
import { projectionsCommand } from "./commands/projections.ts";
import { publishCommand } from "./commands/publish.ts";
import { receiptsCommand } from "./commands/receipts.ts";
import { relayCommand } from "./commands/relay.ts";
import { replayCommand } from "./commands/replay.ts";
import { stateCommand } from "./commands/state.ts";
import { streamsCommand } from "./commands/streams.ts";
import { tailCommand } from "./commands/tail.ts";
import { ExitCode } from "./exit.ts";

const EXIT_CODES = `
Exit codes:
  ${ExitCode.ok}  ok
  ${ExitCode.usage}  usage: unknown command or option, missing argument
  ${ExitCode.notFound}  not found: no such notice, dead letter or pass
  ${ExitCode.invalid}  invalid input: an event, a time, a name
  ${ExitCode.connection}  NATS unreachable or not answering in time
  ${ExitCode.denied}  refused: another city's origin or case, a denied subject
  ${ExitCode.negative}  the answer is no: a drill city that did not acknowledge, a pass not valid, a stale link
  ${ExitCode.failed}  anything else (the one-line reason says what)`;

/** Every (sub)command: errors thrown to main instead of exiting, and the help after a usage error. */
const configure = (command: Command): Command => {
  command.exitOverride().showHelpAfterError("(add --help for usage)");
  for (const sub of command.commands) configure(sub);
  return command;
};

export const buildProgram = (): Command =>
  configure(
    new Command("tongbao")
      .description(
        "通报 Tongbao for duty officers: watch, check, replay and repair the metro's notification bus",
      )
      .version("0.1.0")
      .addOption(
        new Option("--nats <urls>", "NATS server URL(s), comma-separated")
          .env("NATS_URL")
          .default("nats://127.0.0.1:14222"),
      )
      .addOption(new Option("--user <name>", "NATS user").env("NATS_USER"))
      .addOption(new Option("--password <secret>", "NATS password").env("NATS_PASSWORD"))
      .addOption(new Option("--token <secret>", "NATS token").env("NATS_TOKEN"))
      .addOption(new Option("--creds <file>", "NATS credentials file").env("NATS_CREDS"))
      .addOption(
        new Option("--metro <file>", "the metro definition (cities, acknowledgement window)")
          .env("METRO")
          .default("infra/metros/yrd.json"),
      )
      .option("--json", "one JSON document per result line, for scripts")
      .addHelpText("after", EXIT_CODES)
      .addCommand(publishCommand())
      .addCommand(tailCommand())
      .addCommand(replayCommand())
      .addCommand(receiptsCommand())
      .addCommand(dlqCommand())
      .addCommand(relayCommand())
      .addCommand(projectionsCommand())
      .addCommand(stateCommand())
      .addCommand(passCommand())
      .addCommand(drillCommand())
      .addCommand(streamsCommand()),
  );
