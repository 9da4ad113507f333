import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectBus } from "@tongbao/bus";
import { createCityRelay } from "@tongbao/city-relay";
import { ExitCode } from "@tongbao/cli";
import { createLogger } from "@tongbao/service-kit";
import { eventOf, startNats } from "@tongbao/testkit";
import { describe, expect, it } from "vitest";
import { runCli, writeStoreMetro } from "./support.ts";

describe("tongbao drill, receipts and read models", () => {
  it("drill reports every city's acknowledgement, and receipts agrees", async () => {
    const dir = await mkdtemp(join(tmpdir(), "tongbao-drill-"));
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "relays" });
    const { metro, file } = await writeStoreMetro(dir, 5);
    const logger = createLogger("relay", "silent");
    const relays = await Promise.all(metro.cities.map((city) => createCityRelay({ bus, city, logger })));
    const env = { NATS_URL: nats.url, METRO: file };
    try {
      const run = await runCli(["drill", "--from", "shanghai", "--timeout", "30", "--json"], env);
      expect(run.code, run.stderr).toBe(ExitCode.ok);
      const drill = JSON.parse(run.stdout);
      const others = metro.cities.map((c) => c.id).filter((c) => c !== "shanghai");
      expect(drill).toMatchObject({
        from: "shanghai",
        cities: others.length,
        acknowledged: others.length,
        missing: [],
      });
      expect(drill.perCity.map((r: { city: string }) => r.city)).toEqual(others);
      for (const r of drill.perCity) expect(r.ms).toBeGreaterThanOrEqual(0);
      expect(run.stderr).toContain(`drill ${drill.eventId} from shanghai`);

      const receipts = await runCli(["receipts", drill.eventId, "--origin", "shanghai", "--json"], env);
      expect(receipts.code).toBe(ExitCode.ok);
      expect(JSON.parse(receipts.stdout)).toMatchObject({ pending: [], overdue: [] });
      const unknown = await runCli(["receipts", "no-such-notice"], env);
      expect(unknown.code).toBe(ExitCode.notFound);

      // Without relays nobody answers: the drill says who is missing and exits 6.
      await Promise.all(relays.map((r) => r.stop()));
      const silent = await runCli(["drill", "--from", "suzhou", "--timeout", "1"], env);
      expect(silent.code).toBe(ExitCode.negative);
      expect(silent.stdout).toContain(
        "0/4 cities acknowledged; missing: shanghai, jiaxing, hangzhou, shaoxing",
      );
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("projections rebuild, then pass verify and state risk --as-of answer from the rebuilt read models", async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "setup" });
    const env = { NATS_URL: nats.url };
    const pass = await bus.publish(
      eventOf("pass.issued", {
        data: { validFrom: "2020-02-10T00:00:00+08:00", validUntil: "2099-12-31T00:00:00+08:00" },
      }),
    );
    await bus.publish(
      eventOf("risk.changed", {
        origin: "hangzhou",
        subject: "hangzhou-xihu",
        data: { level: "high", effectiveFrom: "2020-02-05T00:00:00+08:00" },
      }),
    );

    const rebuilt = await runCli(["projections", "rebuild", "--json"], env);
    expect(rebuilt.code).toBe(ExitCode.ok);
    expect(JSON.parse(rebuilt.stdout).models).toEqual(expect.arrayContaining(["passes", "risk"]));
    expect(rebuilt.stderr).toContain("stop the projector service");
    expect((await runCli(["projections", "rebuild", "nonsense"], env)).code).toBe(ExitCode.invalid);

    const valid = await runCli(["pass", "verify", pass.subject.split(".").at(-1) as string], env);
    expect(valid.code).toBe(ExitCode.ok);
    expect(valid.stdout).toContain("VALID");
    expect((await runCli(["pass", "verify", "NO-SUCH-PASS"], env)).code).toBe(ExitCode.notFound);

    const before = await runCli(["state", "risk", "--as-of", "2020-02-01T00:00:00+08:00", "--json"], env);
    const after = await runCli(["state", "risk", "--as-of", "2020-02-06T00:00:00+08:00", "--json"], env);
    expect(JSON.parse(before.stdout).districts).toEqual([]);
    expect(JSON.parse(after.stdout).districts).toEqual([
      expect.objectContaining({ districtId: "hangzhou-xihu", city: "hangzhou", level: "high" }),
    ]);
  });
});
