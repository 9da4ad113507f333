import { isToken } from "@tongbao/events";
import { openReadModels } from "@tongbao/projections";
import { Command } from "commander";
import { CliError, ExitCode } from "../exit.ts";
import { table } from "../output.ts";
import { act } from "../program-kit.ts";

export const receiptsCommand = () =>
  new Command("receipts")
    .description("which cities acknowledged a notice and when, which are pending, which are overdue")
    .argument("<eventId>", "the notice's event id")
    .option(
      "--origin <city>",
      "the notice's origin; needed for exercise and test notices, which the read models do not keep",
    )
    .action(
      act<{ origin?: string }>(async (session, options, [id]) => {
        const eventId = id as string;
        if (!isToken(eventId)) throw new CliError(`"${eventId}" is not an event id`, ExitCode.invalid);
        const [bus, metro] = await Promise.all([session.bus({ decide: true }), session.metro()]);
        const cities = metro.cities.map((c) => c.id);
        if (options.origin !== undefined && !cities.includes(options.origin))
          throw new CliError(
            `--origin must be a city of ${metro.id}: ${cities.join(", ")}`,
            ExitCode.invalid,
          );
        const notice = await (await openReadModels(bus, metro)).notice(eventId, options.origin);
        if (notice === null && options.origin === undefined)
          throw new CliError(
            `no notice ${eventId} in the read models (is the projector running? for an exercise or test notice give --origin)`,
            ExitCode.notFound,
          );
        const origin = notice?.origin ?? (options.origin as string);
        const expected =
          notice?.audience === undefined ? cities.filter((c) => c !== origin) : [notice.audience];
        const report = await bus.receipts({ origin, id: eventId }, expected);
        const recordedAt = notice === null ? undefined : Date.parse(notice.recordedAt);
        const dueAt =
          recordedAt === undefined ? undefined : recordedAt + metro.acknowledgeWithinSeconds * 1000;
        const overdue = dueAt !== undefined && Date.now() > dueAt ? report.pending : [];
        const after = (at: string) =>
          recordedAt === undefined ? "" : `+${((Date.parse(at) - recordedAt) / 1000).toFixed(1)} s`;
        session.out.result(
          {
            notice: notice ?? { id: eventId, origin },
            ...(dueAt === undefined ? {} : { dueAt: new Date(dueAt).toISOString() }),
            expected,
            acknowledged: report.acknowledged,
            pending: report.pending,
            overdue,
          },
          () => [
            `${notice === null ? `notice ${eventId} from ${origin}` : `${notice.type} ${notice.key} (${eventId}) from ${origin}, stored ${notice.recordedAt}`}` +
              `${dueAt === undefined ? "" : `; due by ${new Date(dueAt).toISOString()}`}`,
            ...table([
              ...report.acknowledged.map((a) => [a.city, "acknowledged", a.at, after(a.at)]),
              ...report.pending.map((city) => [city, overdue.includes(city) ? "OVERDUE" : "pending", "", ""]),
            ]).map((line) => `  ${line}`),
            `${report.acknowledged.length}/${expected.length} acknowledged, ${report.pending.length} pending, ${overdue.length} overdue`,
          ],
        );
        return ExitCode.ok;
      }),
    );
