import { connectBus } from "@tongbao/bus";
import { createCityRelay, newWebhookSecret, startWebhookSink } from "@tongbao/city-relay";
import { ExitCode } from "@tongbao/cli";
import { cityOf, loadMetro } from "@tongbao/metro";
import { createLogger } from "@tongbao/service-kit";
import { eventOf, startNats, waitFor } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { root, runCli } from "./support.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("tongbao relay pause | status | resume", () => {
  it("holds a city's notices while its webhook is under maintenance, then delivers them all in order", async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "relay-pause" });
    const metro = await loadMetro(`${root}/infra/metros/yrd.json`);
    const secret = newWebhookSecret();
    const sink = await startWebhookSink({ secrets: { suzhou: secret } });
    const suzhou = cityOf(metro, "suzhou");
    if (suzhou === undefined) throw new Error("no suzhou in the demo metro");
    const relay = await createCityRelay({
      bus,
      city: {
        ...suzhou,
        delivery: {
          kind: "webhook",
          urls: [`${sink.url}/hooks/suzhou`],
          secret: { env: "UNUSED" },
          timeoutMs: 2_000,
        },
      },
      secret,
      logger: createLogger("relay", "silent"),
    });
    const env = { NATS_URL: nats.url };
    try {
      const paused = await runCli(["relay", "pause", "suzhou", "--for", "1h", "--json"], env);
      expect(paused.code, paused.stderr).toBe(ExitCode.ok);
      const until = JSON.parse(paused.stdout).consumers.map((c: { pausedUntil?: string }) => c.pausedUntil);
      // Broadcasts, directed messages and re-drives: each of the relay's consumers holds.
      expect(until).toHaveLength(4);
      for (const at of until) expect(Date.parse(at) - Date.now()).toBeGreaterThan(59 * 60_000);

      const sent = [];
      for (let i = 0; i < 3; i++)
        sent.push(await bus.publish(eventOf("pass.issued", { origin: "hangzhou", source: undefined })));
      await sleep(2_500);
      expect(sink.received("suzhou")).toEqual([]);
      const status = await runCli(["relay", "status", "suzhou"], env);
      expect(status.stdout).toMatch(
        /suzhou-relay on EVENTS: paused until \d{4}-\S+; 3 waiting, the oldest since/,
      );
      expect(status.stdout).toMatch(/^suzhou: 3 waiting, the oldest since \S+ \([2-9] s behind\)$/m);
      const lag = JSON.parse((await runCli(["relay", "status", "suzhou", "--json"], env)).stdout);
      expect(lag).toMatchObject({ city: "suzhou", waiting: 3, ageKnown: true });
      expect(lag.secondsBehind).toBeGreaterThanOrEqual(2);

      const resumed = await runCli(["relay", "resume", "suzhou"], env);
      expect(resumed.code, resumed.stderr).toBe(ExitCode.ok);
      expect(resumed.stdout).toContain("suzhou-relay on EVENTS: delivering");
      await waitFor("the held notices", () => sink.received("suzhou").length === 3);
      expect(sink.received("suzhou").map((n) => n.id)).toEqual(sent.map((p) => p.id));
      await waitFor("the relay caught up", async () =>
        (await runCli(["relay", "status", "suzhou"], env)).stdout.includes("suzhou: nothing waiting"),
      );
    } finally {
      await relay.stop();
      await sink.close();
    }
  });

  it("says what is wrong: no length, a bad one, a pause past 7 days, a city that never ran a relay", async () => {
    await using nats = await startNats();
    const env = { NATS_URL: nats.url };
    const none = await runCli(["relay", "pause", "suzhou"], env);
    expect(none.code).toBe(ExitCode.usage);
    expect(none.stderr).toContain("--until <time> or --for <30m|2h|1d>");
    const bad = await runCli(["relay", "pause", "suzhou", "--for", "soon"], env);
    expect(bad.code).toBe(ExitCode.invalid);
    expect(bad.stderr).toContain('--for must be a length of time such as 30m, 2h or 1d, got "soon"');
    const long = await runCli(["relay", "pause", "suzhou", "--for", "8d"], env);
    expect(long.code).toBe(ExitCode.invalid);
    expect(long.stderr).toContain("a pause may last at most 7 days");
    const unknown = await runCli(["relay", "status", "wuxi"], env);
    expect(unknown.code).toBe(ExitCode.notFound);
    expect(unknown.stderr).toContain("wuxi-relay has no durable consumer");
  });
});
