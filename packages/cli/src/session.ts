import { type Bus, connectBus } from "@tongbao/bus";
import { loadMetro, type Metro } from "@tongbao/metro";
import { natsOptionsOf } from "@tongbao/service-kit";
import { CliError, ExitCode } from "./exit.ts";
import { createOutput, type Output } from "./output.ts";

/** The options every command shares (flags, or the environment variables the services read). */
export interface GlobalOptions {
  readonly nats: string;
  readonly user?: string;
  readonly password?: string;
  readonly token?: string;
  readonly creds?: string;
  readonly metro: string;
  readonly json?: boolean;
}

/** What a command works with: its output, and the bus and metro, opened when first asked for. */
export interface Session {
  readonly out: Output;
  /**
   * The bus; `{ decide: true }` gives it the metro definition, so that what a command publishes or
   * folds is decided against the metro's cities and districts as the gateway and the services do.
   */
  bus(options?: { readonly decide?: boolean }): Promise<Bus>;
  metro(): Promise<Metro>;
  close(): Promise<void>;
}

export const openSession = (options: GlobalOptions, command: string): Session => {
  let bus: Promise<Bus> | undefined;
  let metro: Promise<Metro> | undefined;
  const openMetro = () => {
    metro ??= loadMetro(options.metro).catch((error: unknown) => {
      throw new CliError(
        `cannot read the metro definition ${options.metro} (--metro or METRO): ${error instanceof Error ? error.message : String(error)}`,
        ExitCode.invalid,
        { cause: error },
      );
    });
    return metro;
  };
  return {
    out: createOutput(options.json === true),
    bus: (busOptions) => {
      bus ??= (busOptions?.decide === true ? openMetro() : Promise.resolve(undefined)).then((decideWith) =>
        connectBus(
          natsOptionsOf(
            {
              NATS_URL: options.nats,
              NATS_USER: options.user,
              NATS_PASSWORD: options.password,
              NATS_TOKEN: options.token,
              NATS_CREDS: options.creds,
              NATS_MODE: "single",
              NATS_TOPOLOGY: "on",
            },
            `tongbao-cli-${command}`,
            decideWith,
          ),
        ),
      );
      return bus;
    },
    metro: openMetro,
    close: async () => {
      const opened = await bus?.catch(() => undefined);
      await opened?.close();
    },
  };
};
