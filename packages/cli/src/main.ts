// The `tongbao` command: `pnpm tongbao <command>` in the repository, or the `tongbao` bin.
// Every failure ends in one line on stderr and an exit code scripts can rely on (see --help).
import { CommanderError } from "commander";
import { ExitCode, exitCodeOf, reasonOf } from "./exit.ts";
import { buildProgram } from "./program.ts";

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has said what was wrong (or printed the help or version) already.
    process.exitCode = error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  } else {
    process.stderr.write(`tongbao: ${reasonOf(error)}\n`);
    process.exitCode = exitCodeOf(error);
  }
}
