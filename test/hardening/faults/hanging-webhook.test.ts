// A city whose webhook hangs: its relay's requests time out (and are retried), while every other
// city keeps getting its notices as fast as before.
import { eventOf } from "@tongbao/testkit";
import { expect, it } from "vitest";
import { type RunningMetro, startMetro, waitFor } from "../../support/metro.ts";
import { deliveriesOf, percentile, report, sleep } from "./support.ts";

const RATE = 40;
const PER_PHASE = 120;

/** Publishes a phase's events from `origin` at a steady rate; their ids. */
const publishPhase = async (m: RunningMetro, origin: string): Promise<Set<string>> => {
  const started = performance.now();
  const publishing: Promise<{ id: string }>[] = [];
  for (let i = 0; i < PER_PHASE; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    publishing.push(
      m.bus.publish(
        eventOf("policy.changed", {
          origin,
          time: new Date().toISOString(),
          data: { scope: { city: origin } },
        }),
      ),
    );
  }
  return new Set((await Promise.all(publishing)).map((p) => p.id));
};

const latenciesOf = (m: RunningMetro, cities: readonly string[], ids: Set<string>) =>
  cities.flatMap((city) => m.sink.received(city).filter((n) => ids.has(n.id))).map((n) => n.latencyMs);

const allAt = (m: RunningMetro, cities: readonly string[], ids: Set<string>) => () =>
  cities.every((city) => m.sink.received(city).filter((n) => ids.has(n.id)).length === ids.size);

it("a hanging webhook times out without slowing any other city's deliveries", {
  timeout: 120_000,
}, async () => {
  await using m = await startMetro({ generatedCities: 4, env: { LOG_LEVEL: "warn" } });
  const [origin, ...receivers] = m.metro.cities.map((c) => c.id) as [string, ...string[]];
  const hanging = receivers.at(-1) as string;
  const others = receivers.filter((c) => c !== hanging);
  const city = m.metro.cities.find((c) => c.id === hanging);
  const timeoutMs = city?.delivery.kind === "webhook" ? city.delivery.timeoutMs : Number.NaN;
  // Every city's relay runs in the one `relays` process: the hanging one shares its event loop.
  const opsPort = Number(new URL(m.services.opsUrls.relays as string).port);

  // Warm-up: the first notices also pay for the processes' start (JIT, connections).
  const warmUp = await publishPhase(m, origin);
  await waitFor("the warm-up at every city", allAt(m, receivers, warmUp));

  const calm = await publishPhase(m, origin);
  await waitFor("the calm phase at every city", allAt(m, receivers, calm));
  const before = latenciesOf(m, others, calm);

  m.sink.setMode(hanging, "hang");
  const hung = await publishPhase(m, origin);
  await waitFor("the hung phase at every other city", allAt(m, others, hung));
  const during = latenciesOf(m, others, hung);
  const timeouts = await waitFor("the hanging webhook's requests to time out", async () => {
    const failed = await deliveriesOf(opsPort, hanging, "failed");
    // A relay has 16 notices in flight by default: each of them times out.
    return failed >= 16 ? failed : undefined;
  });
  const reachedHanging = m.sink.received(hanging).filter((n) => hung.has(n.id)).length;

  const figures = (label: string, values: number[]) => ({
    [`${label}P50Ms`]: percentile(values, 50),
    [`${label}P99Ms`]: percentile(values, 99),
    [`${label}MaxMs`]: Math.max(...values),
  });
  report("hanging webhook", {
    eventsPerPhase: PER_PHASE,
    otherCities: others.length,
    ...figures("othersCalm", before),
    ...figures("othersWhileHanging", during),
    hangingTimeoutMs: timeoutMs,
    hangingTimedOutAttempts: timeouts,
    hangingActedOn: reachedHanging,
  });
  expect(during).toHaveLength(PER_PHASE * others.length);
  expect(reachedHanging).toBe(0);
  // Had the other cities waited on the hanging one, their notices would take a timeout or more.
  expect(Math.max(...during)).toBeLessThan(timeoutMs);
});
