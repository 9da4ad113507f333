import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectBus } from "@tongbao/bus";
import { buildProgram, ExitCode } from "@tongbao/cli";
import { eventOf, startNats } from "@tongbao/testkit";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { finished, runCli, spawnCli, stderrShows, waitFor } from "./support.ts";

const commandPaths = (command: Command, path: string[] = []): string[][] =>
  command.commands.flatMap((sub) => [[...path, sub.name()], ...commandPaths(sub, [...path, sub.name()])]);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tongbao-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("tongbao", () => {
  it("answers --help on every command, and says what is wrong with a one-line reason and its exit code", async () => {
    const paths = commandPaths(buildProgram());
    expect(paths.map((p) => p.join(" "))).toEqual(
      expect.arrayContaining(["publish", "tail", "replay", "receipts", "dlq redrive", "drill", "streams"]),
    );
    const helps = await Promise.all(paths.map((path) => runCli([...path, "--help"])));
    for (const [i, help] of helps.entries()) {
      expect(help.code, paths[i]?.join(" ")).toBe(ExitCode.ok);
      expect(help.stdout).toContain(`Usage: tongbao ${paths[i]?.join(" ")}`);
    }
    const [unknown, badTime, unreachable] = await Promise.all([
      runCli(["tail", "--nonsense"]),
      runCli(["replay", "--since", "yesterday-ish"]),
      runCli(["streams"], { NATS_URL: "nats://127.0.0.1:1" }),
    ]);
    expect(unknown.code).toBe(ExitCode.usage);
    expect(unknown.stderr).toContain("unknown option '--nonsense'");
    expect(badTime.code).toBe(ExitCode.invalid);
    expect(badTime.stderr.trim()).toBe(
      'tongbao: --since must be a time such as 2020-02-10T00:00:00+08:00, got "yesterday-ish"',
    );
    expect(unreachable.code).toBe(ExitCode.connection);
    expect(unreachable.stderr.trim()).toMatch(/^tongbao: cannot reach NATS/);
  });

  it("publish as a city → tail sees it; invalid or foreign events publish nothing", async () => {
    await using nats = await startNats();
    const env = { NATS_URL: nats.url };
    const tail = spawnCli(["tail", "--json", "--count", "1", "--type", "pass.issued"], env);
    const tailed = finished(tail);
    await stderrShows(tail, "tailing events from now");

    const { origin: _, ...pass } = eventOf("pass.issued");
    const file = join(dir, "one.ndjson");
    await writeFile(file, `${JSON.stringify(pass)}\n`);
    const published = await runCli(["publish", file, "--city", "suzhou", "--json"], env);
    expect(published.code).toBe(ExitCode.ok);
    const summary = JSON.parse(published.stdout);
    expect(summary).toMatchObject({ city: "suzhou", published: 1, duplicates: 0, failed: 0 });

    const seen = await tailed;
    expect(seen.code).toBe(ExitCode.ok);
    const line = JSON.parse(seen.stdout.trim());
    expect(line.event).toMatchObject({ id: summary.events[0].id, origin: "suzhou", type: "pass.issued" });

    const invalid = await runCli(
      ["publish", "-", "--city", "suzhou"],
      env,
      `${JSON.stringify(pass)}\n${JSON.stringify({ ...pass, type: "pass.issued", data: {} })}\n`,
    );
    expect(invalid.code).toBe(ExitCode.invalid);
    expect(invalid.stderr).toContain("line 2 data");
    expect(invalid.stderr).toContain("none was published");
    const foreign = await runCli(
      ["publish", "-", "--city", "suzhou"],
      env,
      JSON.stringify({ ...pass, origin: "hangzhou" }),
    );
    expect(foreign.code).toBe(ExitCode.denied);
    // Decided against the metro definition, as at the gateway: a district no city has is refused.
    const { origin: __, ...risk } = eventOf("risk.changed", { subject: "suzhou-gusu-typo" });
    const unknown = await runCli(["publish", "-", "--city", "suzhou"], env, JSON.stringify(risk));
    expect(unknown.code).toBe(ExitCode.notFound);
    expect(unknown.stderr).toContain("district suzhou-gusu-typo is not a district of the metro");
    await using bus = await connectBus({ servers: nats.url, name: "check" });
    expect(await bus.lastSeq("events")).toBe(1);
  });

  it("replays exactly a time window's events into a file, with progress lines when not on a terminal", async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "setup" });
    const at = (day: number) => `2020-02-${String(day).padStart(2, "0")}T12:00:00+08:00`;
    const outcomes = await bus.publishBatch(
      Array.from({ length: 300 }, (_, i) => eventOf("supply.offered", { time: at(1 + (i % 20)) })),
    );
    const inWindow = outcomes.flatMap((p, i) => (i % 20 >= 4 && i % 20 < 9 ? [p.id] : []));

    const out = join(dir, "window.ndjson");
    const run = await runCli(["replay", "--since", at(5), "--until", at(10), "--out", out, "--json"], {
      NATS_URL: nats.url,
    });
    expect(run.code).toBe(ExitCode.ok);
    expect(JSON.parse(run.stdout)).toMatchObject({ events: inWindow.length, out });
    expect(run.stderr).toMatch(/^replay: 300\/300 \(100%\), 75 events/m);
    const written = (await readFile(out, "utf8"))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).id);
    expect(written).toEqual(inWindow);
  });

  it("dlq: lists a dead letter, re-drives it once to the fixed handler, then drops it", async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "checkpoint" });
    const env = { NATS_URL: nats.url };
    const poison = await bus.publish(eventOf("pass.issued"));
    let broken = true;
    const handled: string[] = [];
    const sub = await bus.subscribe({
      city: "suzhou",
      service: "checkpoint",
      maxAttempts: 2,
      backoffMs: [20],
      handler: async (event) => {
        if (broken) throw new Error("checkpoint system down");
        handled.push(event.id);
      },
    });
    await waitFor("the dead letter", async () => (await bus.deadLetters.list()).length === 1);

    const listed = await runCli(["dlq", "list", "--json"], env);
    expect(listed.code).toBe(ExitCode.ok);
    const [letter] = JSON.parse(listed.stdout);
    expect(letter).toMatchObject({
      consumer: "suzhou-checkpoint",
      seq: poison.seq,
      reason: "handler-failed",
    });
    expect(letter.payload).toBeUndefined();

    broken = false;
    const first = await runCli(["dlq", "redrive", String(letter.dlqSeq), "--json"], env);
    expect(JSON.parse(first.stdout)).toEqual({ redriven: 1, skipped: 0 });
    await waitFor("the re-driven event", () => handled.includes(poison.id));
    const again = await runCli(["dlq", "redrive", "--consumer", "suzhou-checkpoint"], env);
    expect(again.stdout.trim()).toBe("re-driven 0, skipped 1 (re-driven before, or no payload)");
    const nothing = await runCli(["dlq", "redrive"], env);
    expect(nothing.code).toBe(ExitCode.usage);

    const shown = await runCli(["dlq", "show", String(letter.dlqSeq), "--json"], env);
    expect(JSON.parse(shown.stdout).redriven.at).toEqual(expect.any(String));
    expect((await runCli(["dlq", "drop", "--all", "--json"], env)).stdout.trim()).toBe('{"dropped":1}');
    expect((await runCli(["dlq", "show", String(letter.dlqSeq)], env)).code).toBe(ExitCode.notFound);
    await sub.stop();
    expect(handled).toEqual([poison.id]);
  });

  it("streams: sizes and consumers' backlogs", async () => {
    await using nats = await startNats();
    await using bus = await connectBus({ servers: nats.url, name: "setup" });
    await bus.publish(eventOf("pass.issued"));
    let handled = 0;
    const sub = await bus.subscribe({
      city: "wuxi",
      service: "relay",
      handler: async () => {
        handled++;
      },
    });
    await waitFor("wuxi's relay to take the pass", () => handled === 1);
    await sub.stop();
    const run = await runCli(["streams"], { NATS_URL: nats.url });
    expect(run.code).toBe(ExitCode.ok);
    expect(run.stdout).toMatch(/^EVENTS {2}1 messages, /m);
    expect(run.stdout).toContain("consumer wuxi-relay: 0 pending, 0 awaiting ack");
  });
});
