import {
  type Bus,
  type ConsumerLag,
  type ConsumerPause,
  type Lag,
  lagOf,
  type PauseTarget,
  RELAY_SERVICES,
  secondsBehind,
} from "@tongbao/bus";
import { Command } from "commander";
import { CliError, ExitCode } from "../exit.ts";
import { duration, moment } from "../format.ts";
import { act } from "../program-kit.ts";
import type { Session } from "../session.ts";

// A city's webhook under maintenance: its relay's consumers pause on the server, notices wait in
// order and come once the pause ends. Run with the city's own NATS user: a city pauses only its own.

const stateOf = (p: ConsumerPause) =>
  `${p.consumer} on ${p.stream}: ${p.pausedUntil === undefined ? "delivering" : `paused until ${p.pausedUntil.toISOString()}`}`;

const lines = (pauses: readonly ConsumerPause[]) => pauses.map(stateOf);

const ageOf = ({ waiting, oldestWaitingSince: since, ageKnown: known }: Lag | ConsumerLag, now: number) => {
  if (waiting === 0) return "nothing waiting";
  if (!known || since === undefined) return `${waiting} waiting`;
  const behind = secondsBehind({ oldestWaitingSince: since }, now);
  return `${waiting} waiting, the oldest since ${since.toISOString()} (${behind} s behind)`;
};

/** The relay's state and lag: one line per consumer, then the relay's as a whole. */
const statusOf = (session: Session, city: string, consumers: readonly ConsumerLag[]) => {
  const now = Date.now();
  const lag = lagOf(consumers);
  const behind = lag.ageKnown ? secondsBehind(lag, now) : undefined;
  session.out.result({ city, ...lag, secondsBehind: behind, consumers }, () => [
    ...consumers.map((c) => `${stateOf(c)}; ${ageOf(c, now)}`),
    `${city}: ${ageOf(lag, now)}`,
  ]);
  return ExitCode.ok;
};

const eachService = async (
  session: Session,
  city: string,
  run: (target: { city: string; service: string }) => Promise<ConsumerPause[]>,
) => {
  const pauses: ConsumerPause[] = [];
  for (const service of RELAY_SERVICES) pauses.push(...(await run({ city, service })));
  session.out.result({ city, consumers: pauses }, () => lines(pauses));
  return ExitCode.ok;
};

const untilOf = (options: { until?: string; for?: number }): Date => {
  if ((options.until === undefined) === (options.for === undefined))
    throw new CliError("say how long: --until <time> or --for <30m|2h|1d>", ExitCode.usage);
  return options.until === undefined
    ? new Date(Date.now() + (options.for as number))
    : new Date(options.until);
};

/** A verb on the city's relay that takes nothing but the city. */
const simple = (
  name: string,
  description: string,
  run: (bus: Bus, target: PauseTarget) => Promise<ConsumerPause[]>,
) =>
  new Command(name)
    .description(description)
    .argument("<city>", "the city (your own NATS user)")
    .action(
      act<object>(async (session, _options, [city]) => {
        const bus = await session.bus();
        return eachService(session, city as string, (target) => run(bus, target));
      }),
    );

export const relayCommand = () =>
  new Command("relay")
    .description(
      "a city's relay to its webhook: pause it for maintenance, resume it, see whether it is paused",
    )
    .addCommand(
      new Command("pause")
        .description("hold the city's notices (at most 7 days): they wait in order and come after the pause")
        .argument("<city>", "the city whose relay pauses (your own NATS user)")
        .option("--until <time>", "when deliveries start again", moment("--until"))
        .option("--for <length>", "how long, e.g. 30m, 2h, 1d", duration("--for"))
        .action(
          act<{ until?: string; for?: number }>(async (session, options, [city]) => {
            const until = untilOf(options);
            const bus = await session.bus();
            return eachService(session, city as string, (target) => bus.pauseDeliveries(target, until));
          }),
        ),
    )
    .addCommand(
      simple("resume", "end the pause now: what waited is delivered, in order", (bus, target) =>
        bus.resumeDeliveries(target),
      ),
    )
    .addCommand(
      new Command("status")
        .description(
          "whether the city's relay delivers or is paused, and how far behind it is (notices and seconds)",
        )
        .argument("<city>", "the city (your own NATS user)")
        .action(
          act<object>(async (session, _options, [city]) => {
            const bus = await session.bus();
            return statusOf(session, city as string, await bus.relayLag(city as string));
          }),
        ),
    );
