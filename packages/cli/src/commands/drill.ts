import { Command } from "commander";
import { CliError, ExitCode } from "../exit.ts";
import { positiveInteger, seconds } from "../format.ts";
import { table } from "../output.ts";
import { act } from "../program-kit.ts";

const POLL_MS = 100;

interface CityResult {
  readonly city: string;
  /** From the publish to the city's receipt; null when it never came within the timeout. */
  readonly ms: number | null;
  readonly at: string | null;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? null : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
};

/**
 * An exercise notice (status "exercise", which read models ignore) from one city to all the others,
 * and how long each city's relay took to acknowledge it. The catalog reserves the metro origin for
 * overdue notices, so a drill speaks as a city.
 */
export const drillCommand = () =>
  new Command("drill")
    .description("publish an exercise notice to every city; report how long until each relay acknowledged it")
    .option("--from <city>", "the city the notice comes from (default: the metro's first)")
    .option("--timeout <seconds>", "how long to wait for every receipt", positiveInteger("--timeout"), 60)
    .action(
      act<{ from?: string; timeout: number }>(async (session, options) => {
        const [bus, metro] = await Promise.all([session.bus({ decide: true }), session.metro()]);
        const cities = metro.cities.map((c) => c.id);
        const from = options.from ?? (cities[0] as string);
        if (!cities.includes(from))
          throw new CliError(`--from must be a city of ${metro.id}: ${cities.join(", ")}`, ExitCode.invalid);
        const expected = cities.filter((c) => c !== from);
        const sent = Date.now();
        const published = await bus.publish({
          type: "policy.changed",
          origin: from,
          subject: `DRILL-${sent.toString(36).toUpperCase()}`,
          status: "exercise",
          source: `/cities/${from}/tongbao-drill`,
          data: {
            domain: "work",
            action: "require",
            scope: { city: from },
            effectiveFrom: new Date(sent).toISOString(),
            summary: "Tongbao drill: an exercise notice. Nothing to do but acknowledge that it arrived.",
          },
        });
        session.out.note(
          `drill ${published.id} from ${from} to ${expected.length} cities; waiting up to ${options.timeout} s`,
        );
        const results = new Map<string, CityResult>();
        const deadline = sent + options.timeout * 1000;
        while (results.size < expected.length && Date.now() < deadline) {
          const report = await bus.receipts({ origin: from, id: published.id }, expected);
          for (const { city, at } of report.acknowledged) {
            if (results.has(city)) continue;
            const ms = Math.max(0, Date.parse(at) - sent);
            results.set(city, { city, ms, at });
            session.out.note(`  ${city} acknowledged after ${seconds(ms)}`);
          }
          if (results.size < expected.length) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        }
        const perCity = expected.map((city) => results.get(city) ?? { city, ms: null, at: null });
        const times = perCity.flatMap((r) => (r.ms === null ? [] : [r.ms]));
        const missing = perCity.filter((r) => r.ms === null).map((r) => r.city);
        const total = {
          eventId: published.id,
          from,
          cities: expected.length,
          acknowledged: times.length,
          missing,
          medianMs: median(times),
          allMs: missing.length === 0 ? Math.max(0, ...times) : null,
        };
        session.out.result({ ...total, perCity }, () => [
          ...table([
            ["CITY", "ACKNOWLEDGED AFTER"],
            ...perCity.map((r) => [
              r.city,
              r.ms === null ? `nothing within ${options.timeout} s` : seconds(r.ms),
            ]),
          ]),
          missing.length === 0
            ? `all ${expected.length} cities acknowledged within ${seconds(total.allMs ?? 0)} (median ${seconds(total.medianMs ?? 0)})`
            : `${times.length}/${expected.length} cities acknowledged; missing: ${missing.join(", ")}`,
        ]);
        return missing.length === 0 ? ExitCode.ok : ExitCode.negative;
      }),
    );
