import type { EventStatus } from "@tongbao/events";
import { type Command, Option } from "commander";
import { list } from "../format.ts";

export interface FilterOptions {
  readonly type?: string[];
  readonly origin?: string[];
  readonly key?: string;
  readonly status?: EventStatus[];
  readonly direct?: boolean;
  readonly audience?: string;
}

/** The filters tail and replay share. */
export const withFilters = (command: Command): Command =>
  command
    .option("--type <types>", "only these types (repeat or comma-separate)", list)
    .option("--origin <cities>", "only from these cities (repeat or comma-separate)", list)
    .option("--key <key>", "only this aggregate: a case id, pass id, district id …")
    .addOption(
      new Option("--status <statuses>", "only these statuses (repeat or comma-separate)").argParser(list),
    )
    .option("--direct", "directed messages (DIRECT) instead of broadcasts")
    .option("--audience <city>", "with --direct: messages to this city (default: every city, *)");

export const queryOf = (options: FilterOptions) => ({
  stream: options.direct ? ("direct" as const) : ("events" as const),
  ...(options.direct ? { audience: options.audience ?? "*" } : {}),
  ...(options.type === undefined ? {} : { types: options.type }),
  ...(options.origin === undefined ? {} : { origins: options.origin }),
  ...(options.key === undefined ? {} : { key: options.key }),
  ...(options.status === undefined ? {} : { statuses: options.status }),
});
