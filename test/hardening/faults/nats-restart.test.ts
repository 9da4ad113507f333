// The NATS server restarted under load: every service reconnects by itself, and every event the
// gateway or the SDK accepted is stored once and reaches every other city's webhook.
import type { ReplayedEvent } from "@tongbao/bus";
import { eventOf } from "@tongbao/testkit";
import { expect, it } from "vitest";
import { startMetro, waitFor } from "../../support/metro.ts";
import { report, sleep, tally } from "./support.ts";

const RATE = 40; // events/s through each of the gateway and the SDK
const SECONDS = 12;
const RESTART_AT_MS = 4_000;

it("after a NATS restart under load every service is back by itself and nothing accepted is lost", {
  timeout: 120_000,
}, async () => {
  await using m = await startMetro({ generatedCities: 4, env: { LOG_LEVEL: "warn" } });
  const cities = m.metro.cities.map((c) => c.id);
  const [viaGateway, viaSdk] = cities as [string, string];
  const pidsBefore = m.services.supervisor.pids();
  const accepted = new Map<string, string>(); // event id → origin
  const refused = new Map<string, number>(); // why → count

  const refuse = (why: string) => refused.set(why, (refused.get(why) ?? 0) + 1);
  const sendGateway = async () => {
    const event = eventOf("policy.changed", { origin: viaGateway, data: { scope: { city: viaGateway } } });
    const { id: _, origin: __, ...body } = event as typeof event & { id?: string };
    try {
      const response = await m.api(viaGateway, "/v1/events", {
        method: "POST",
        headers: { "content-type": "application/cloudevents+json" },
        body: JSON.stringify(body),
      });
      const answer = (await response.json()) as { id?: string };
      if (response.status === 202 && answer.id) accepted.set(answer.id, viaGateway);
      else refuse(`gateway ${response.status}`);
    } catch (error) {
      refuse(`gateway ${(error as Error).message}`);
    }
  };
  const sendSdk = async () => {
    try {
      const published = await m.bus.publish(
        eventOf("policy.changed", { origin: viaSdk, data: { scope: { city: viaSdk } } }),
      );
      accepted.set(published.id, viaSdk);
    } catch (error) {
      refuse(`sdk ${(error as Error).name}`);
    }
  };

  // Every service ready again (each /readyz asks its bus), without having been restarted.
  const allReady = async () => {
    const answers = await Promise.all(
      Object.values(m.services.opsUrls).map((url) =>
        fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ),
      ),
    );
    return answers.every(Boolean);
  };

  const started = performance.now();
  const sending: Promise<void>[] = [];
  let restart: Promise<{ down: number; up: number; ready: number }> | undefined;
  for (let i = 0; i < RATE * SECONDS; i++) {
    const wait = started + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    if (restart === undefined && performance.now() - started >= RESTART_AT_MS) {
      restart = (async () => {
        const down = performance.now();
        await m.nats.restart();
        const up = performance.now();
        await waitFor("every service to be ready again", allReady);
        return { down, up, ready: performance.now() };
      })();
    }
    sending.push(sendGateway(), sendSdk());
  }
  await Promise.all(sending);
  const { down, up, ready } = await (restart as NonNullable<typeof restart>);
  expect(await allReady()).toBe(true);

  expect(m.services.supervisor.pids()).toEqual(pidsBefore);

  // Stored once: each accepted id exactly once in EVENTS, and nothing stored twice.
  const stored = new Map<string, number>();
  for await (const { event } of m.bus.replay({
    stream: "events",
    audience: "*",
  }) as AsyncIterable<ReplayedEvent>) {
    stored.set(event.id, (stored.get(event.id) ?? 0) + 1);
  }
  const missing = [...accepted.keys()].filter((id) => !stored.has(id));
  const twice = [...stored.values()].filter((n) => n > 1).length;

  // Delivered to every city but its origin.
  const expected = (city: string) => [...accepted].filter(([, origin]) => origin !== city).map(([id]) => id);
  const delivered = await waitFor(
    "every accepted event at every other city's webhook",
    () => {
      const per = cities.map((city) => {
        const got = new Set(m.sink.received(city).map((n) => n.id));
        return expected(city).filter((id) => !got.has(id)).length;
      });
      return per.every((n) => n === 0) ? true : undefined;
    },
    40_000,
  ).catch(() => false);
  const lost = cities.reduce((sum, city) => {
    const got = new Set(m.sink.received(city).map((n) => n.id));
    return sum + expected(city).filter((id) => !got.has(id)).length;
  }, 0);
  const totals = cities.map((city) => tally(m.sink.received(city)));
  report("nats restart under load", {
    attempted: RATE * SECONDS * 2,
    accepted: accepted.size,
    refused: JSON.stringify(Object.fromEntries(refused)),
    natsDownSeconds: (up - down) / 1000,
    secondsFromNatsUpToAllReady: (ready - up) / 1000,
    stored: stored.size,
    storedTwice: twice,
    missingFromStore: missing.length,
    deliveries: totals.reduce((s, t) => s + t.notices, 0),
    expectedDeliveries: cities.reduce((s, c) => s + expected(c).length, 0),
    repeats: totals.reduce((s, t) => s + t.repeats, 0),
    lost,
  });
  expect(missing).toEqual([]);
  expect(twice).toBe(0);
  expect(lost).toBe(0);
  expect(delivered).toBe(true);
  // The SDK and the gateway retry through the outage (usually every event is accepted); what they
  // could not store in time was refused with a retryable answer, never dropped silently.
  expect([...refused.keys()].filter((why) => why !== "gateway 503" && why !== "sdk TimeoutError")).toEqual(
    [],
  );
});
