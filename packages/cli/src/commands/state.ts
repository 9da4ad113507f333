import { openReadModels, type RiskMapBasis } from "@tongbao/projections";
import { Command, Option } from "commander";
import { ExitCode } from "../exit.ts";
import { moment } from "../format.ts";
import { table } from "../output.ts";
import { act } from "../program-kit.ts";

export const stateCommand = () =>
  new Command("state").description("the metro's state from the read models").addCommand(
    new Command("risk")
      .description("the risk level of every district, now or as of a past moment")
      .option(
        "--as-of <time>",
        "a past moment, e.g. 2020-02-15T12:00:00+08:00 (default: now)",
        moment("--as-of"),
      )
      .addOption(
        new Option("--by <basis>", "effective: in force then, as known now; recorded: as stored by then")
          .choices(["effective", "recorded"])
          .default("effective"),
      )
      .option("--city <id>", "only this city's districts")
      .action(
        act<{ asOf?: string; by: RiskMapBasis; city?: string }>(async (session, options) => {
          const [bus, metro] = await Promise.all([session.bus({ decide: true }), session.metro()]);
          const map = await (await openReadModels(bus, metro)).riskMap({
            by: options.by,
            ...(options.asOf === undefined ? {} : { asOf: options.asOf }),
          });
          const districts = map.districts.filter(
            (d) => options.city === undefined || d.city === options.city,
          );
          session.out.result({ ...map, districts }, () => [
            `risk as of ${map.asOf} (${map.by})`,
            ...table([
              ["DISTRICT", "CITY", "LEVEL", "SINCE", "WAS"],
              ...districts.map((d) => [
                d.districtId,
                d.city,
                d.level,
                d.effectiveFrom,
                d.previousLevel ?? "",
              ]),
            ]),
          ]);
          return ExitCode.ok;
        }),
      ),
  );
