// @tongbao/cli — the `tongbao` command; the program is exported for tests and embedding.
export { CliError, ExitCode, exitCodeOf } from "./exit.ts";
export { buildProgram } from "./program.ts";
