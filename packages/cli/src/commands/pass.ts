import { openReadModels } from "@tongbao/projections";
import { Command } from "commander";
import { ExitCode } from "../exit.ts";
import { moment } from "../format.ts";
import { act } from "../program-kit.ts";

export const passCommand = () =>
  new Command("pass").description("passes (通行证) as the checkpoints see them").addCommand(
    new Command("verify")
      .description("what a checkpoint should do with a pass: exit 0 valid, 2 unknown, 6 not valid")
      .argument("<passId>", "the pass id")
      .option("--at <time>", "at this moment (default: now)", moment("--at"))
      .option("--city <id>", "at a checkpoint in this city")
      .action(
        act<{ at?: string; city?: string }>(async (session, options, [passId]) => {
          const bus = await session.bus({ decide: true });
          const check = await (await openReadModels(bus)).checkPass(passId as string, {
            ...(options.at === undefined ? {} : { at: options.at }),
            ...(options.city === undefined ? {} : { city: options.city }),
          });
          session.out.result(check, () => [
            `${check.passId}: ${check.status.toUpperCase()}`,
            ...Object.entries(check)
              .filter(([field]) => field !== "passId" && field !== "status")
              .map(
                ([field, value]) => `  ${field}: ${Array.isArray(value) ? value.join(", ") : String(value)}`,
              ),
          ]);
          if (check.status === "valid") return ExitCode.ok;
          return check.status === "unknown" ? ExitCode.notFound : ExitCode.negative;
        }),
      ),
  );
