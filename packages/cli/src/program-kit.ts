import type { Command } from "commander";
import { ExitCode } from "./exit.ts";
import { type GlobalOptions, openSession, type Session } from "./session.ts";

type Action<O> = (
  session: Session,
  options: O & GlobalOptions,
  args: readonly unknown[],
) => Promise<ExitCode | undefined>;

/**
 * A command's action with its session: the global options merged in, the bus closed afterwards
 * whatever happens, and the exit code set. Errors go up to main, which turns them into one line.
 */
export const act =
  <O>(action: Action<O>) =>
  async (...params: unknown[]): Promise<void> => {
    const command = params.at(-1) as Command;
    const options = command.optsWithGlobals<O & GlobalOptions>();
    const session = openSession(options, command.name());
    try {
      process.exitCode = (await action(session, options, command.processedArgs)) ?? ExitCode.ok;
    } finally {
      await session.close();
    }
  };
