// The soak: a steady rate of events through the gateway to a metro of generated cities, every
// service (and the demo webhook sink) its own process. Samples each process's memory per window and,
// from the sink's records, publish-to-webhook latency per window. `soak.ts` runs it for minutes;
// `soak.test.ts` for seconds.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { eventOf, startNats } from "@tongbao/testkit";
import { startMetroServices } from "../../infra/start/metro.ts";
import { servicesOf, writeMetro } from "../support/metro.ts";

export interface SoakOptions {
  /** Events per second through the gateway, from the cities in turn. */
  readonly rate: number;
  readonly seconds: number;
  readonly cities: number;
  /** Length of a sampling window: memory is read, and latency summed up, per window. */
  readonly windowMs: number;
  /** How long delivery may make no progress after the last publish before the soak gives up. */
  readonly stallMs?: number;
  readonly log?: (line: string) => void;
}

export interface LatencyWindow {
  readonly window: number;
  readonly deliveries: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface SoakFigures {
  readonly sent: number;
  readonly accepted: number;
  /** Requests the gateway did not answer 202, by status (or error). */
  readonly refused: Readonly<Record<string, number>>;
  readonly expectedDeliveries: number;
  readonly delivered: number;
  /** Notices the cities got that the soak did not send (none expected). */
  readonly otherNotices: number;
  /** Accepted events missing at some city's webhook. */
  readonly lost: number;
  /** Deliveries the sink had already acted on (same webhook-id). */
  readonly repeats: number;
  readonly drainSeconds: number;
  /** Per process, its resident memory in MB at the end of each window (the first: before load). */
  readonly rssMb: Readonly<Record<string, readonly number[]>>;
  readonly latency: readonly LatencyWindow[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

/** Resident memory of a process in MB, from /proc (Linux); NaN once it is gone. */
const rssOf = async (pid: number): Promise<number> => {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? Number.NaN : Number(kb) / 1024;
  } catch {
    return Number.NaN;
  }
};

/** The nats-server started with the config next to `storeDir` (testkit does not expose its pid). */
const natsPidOf = async (storeDir: string): Promise<number | undefined> => {
  const config = join(dirname(storeDir), "nats-server.conf");
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.split("\0").includes(config)) return Number(entry);
  }
  return undefined;
};

interface SinkRecord {
  readonly id: string;
  readonly time: string;
  readonly latencyMs: number;
  readonly repeats: number;
}

export const runSoak = async (options: SoakOptions): Promise<SoakFigures> => {
  const log = options.log ?? (() => undefined);
  const dir = await mkdtemp(join(tmpdir(), "tongbao-soak-"));
  try {
    return await soakIn(dir, options, log);
  } catch (error) {
    // The temporary directory goes with the logs: show the ends of those that say something.
    for (const file of await readdir(join(dir, "logs")).catch(() => [])) {
      const text = (await readFile(join(dir, "logs", file), "utf8")).trim();
      if (text !== "") process.stderr.write(`--- ${file}\n${text.split("\n").slice(-5).join("\n")}\n`);
    }
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

const soakIn = async (
  dir: string,
  options: SoakOptions,
  log: (line: string) => void,
): Promise<SoakFigures> => {
  await using nats = await startNats();
  // A deadline far beyond the run: no overdue notices join the load when a backlog builds up.
  const files = await writeMetro(dir, { generatedCities: options.cities, acknowledgeWithinSeconds: 3_600 });
  const cities = files.metro.cities.map((c) => c.id);
  const services = await startMetroServices({
    ...servicesOf(files, nats.url, dir),
    env: { LOG_LEVEL: "warn" },
    // Twenty Node processes starting at once on a small machine.
    readyTimeoutMs: 120_000,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  try {
    const pids = { ...services.supervisor.pids() };
    const natsPid = await natsPidOf(nats.storeDir);
    if (natsPid !== undefined) pids["nats-server"] = natsPid;
    const rssMb: Record<string, number[]> = Object.fromEntries(Object.keys(pids).map((n) => [n, []]));
    const sample = async () => {
      for (const [name, pid] of Object.entries(pids)) rssMb[name]?.push(await rssOf(pid));
    };
    await sample();

    const accepted = new Map<string, string>(); // event id → origin
    const refused: Record<string, number> = {};
    const post = (origin: string) =>
      new Promise<void>((resolve) => {
        const event = eventOf("policy.changed", {
          origin,
          time: new Date().toISOString(),
          data: { scope: { city: origin } },
        });
        const body = JSON.stringify({ ...event, origin: undefined });
        const refuse = (why: string) => {
          refused[why] = (refused[why] ?? 0) + 1;
          resolve();
        };
        const req = request(
          `${services.gatewayUrl}/v1/events`,
          {
            agent,
            method: "POST",
            headers: {
              authorization: `Bearer ${files.tokens[origin]}`,
              "content-type": "application/cloudevents+json",
              "content-length": Buffer.byteLength(body),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (chunk: Buffer) => chunks.push(chunk));
            res.on("end", () => {
              if (res.statusCode !== 202) return refuse(String(res.statusCode));
              accepted.set((JSON.parse(Buffer.concat(chunks).toString()) as { id: string }).id, origin);
              resolve();
            });
          },
        );
        req.on("error", (error) => refuse(error.message));
        req.end(body);
      });

    log(
      `soak: ${options.rate} events/s for ${options.seconds} s through the gateway to ${options.cities} cities ` +
        `(${options.rate * (options.cities - 1)} webhooks/s); ${Object.keys(pids).length} processes`,
    );
    const total = Math.round(options.rate * options.seconds);
    const started = performance.now();
    const startedAt = Date.now();
    const sending: Promise<void>[] = [];
    let nextSample = started + options.windowMs;
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / options.rate;
      if (due >= nextSample) {
        await sample();
        const window = Math.round((nextSample - started) / options.windowMs);
        log(`  window ${window}: sent ${i}, accepted ${accepted.size}; ${rssLine(rssMb)}`);
        nextSample += options.windowMs;
      }
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      sending.push(post(cities[i % cities.length] as string));
    }
    await Promise.all(sending);
    await sample();
    log(`  end of sending (${options.seconds} s): accepted ${accepted.size}; ${rssLine(rssMb)}`);

    // Drain: every accepted event at every city but its origin.
    const expectedDeliveries = accepted.size * (cities.length - 1);
    const drainStarted = performance.now();
    const delivered = async () => {
      const perCity = (await (await fetch(`${services.sinkUrl}/hooks`)).json()) as Record<string, number>;
      return Object.values(perCity).reduce((a, b) => a + b, 0);
    };
    for (let last = -1, quietSince = performance.now(); ; ) {
      const now = await delivered();
      if (now >= expectedDeliveries) break;
      if (now !== last) quietSince = performance.now();
      if (performance.now() - quietSince > (options.stallMs ?? 30_000)) break;
      last = now;
      await sleep(250);
    }
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    await sample();
    log(`  after the drain (${drainSeconds.toFixed(1)} s): ${rssLine(rssMb)}`);

    // Latency per window of publishing, from what each city's system recorded.
    const byWindow = new Map<number, number[]>();
    let lost = 0;
    let repeats = 0;
    let deliveredCount = 0;
    let otherNotices = 0;
    for (const city of cities) {
      const records = (await (await fetch(`${services.sinkUrl}/hooks/${city}`)).json()) as SinkRecord[];
      const got = new Set<string>();
      for (const record of records) {
        if (!accepted.has(record.id)) {
          otherNotices++;
          continue;
        }
        got.add(record.id);
        repeats += record.repeats;
        const window = Math.floor((Date.parse(record.time) - startedAt) / options.windowMs) + 1;
        const list = byWindow.get(window) ?? [];
        list.push(record.latencyMs);
        byWindow.set(window, list);
      }
      deliveredCount += got.size;
      for (const [id, origin] of accepted) if (origin !== city && !got.has(id)) lost++;
    }
    const latency = [...byWindow.entries()]
      .sort(([a], [b]) => a - b)
      .map(([window, values]) => {
        const sorted = values.sort((a, b) => a - b);
        return {
          window,
          deliveries: sorted.length,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          maxMs: sorted.at(-1) ?? Number.NaN,
        };
      });
    return {
      sent: total,
      accepted: accepted.size,
      refused,
      expectedDeliveries,
      delivered: deliveredCount,
      otherNotices,
      lost,
      repeats,
      drainSeconds,
      rssMb,
      latency,
    };
  } finally {
    agent.destroy();
    await services.stop();
  }
};

const rssLine = (rssMb: Record<string, number[]>) => {
  const latest = Object.entries(rssMb).map(([name, values]) => [name, values.at(-1) ?? Number.NaN] as const);
  const relays = latest.filter(([name]) => name.startsWith("relay-")).map(([, mb]) => mb);
  const others = latest.filter(([name]) => !name.startsWith("relay-"));
  // Relays run in one process (`relays`) or, started per city, as relay-<city> each: a range then.
  return [
    ...others.map(([name, mb]) => `${name} ${mb.toFixed(0)}`),
    ...(relays.length === 0
      ? []
      : [`relays ${Math.min(...relays).toFixed(0)}–${Math.max(...relays).toFixed(0)} MB`]),
  ].join(", ");
};

/** The figures as a table: RSS per process per window, then latency per window. */
export const formatFigures = (figures: SoakFigures, windowMs: number): string => {
  const unit = windowMs % 60_000 === 0 ? `${windowMs / 60_000} min` : `${windowMs / 1000} s`;
  const lines = [
    `sent ${figures.sent}, accepted ${figures.accepted}, refused ${JSON.stringify(figures.refused)}`,
    `deliveries ${figures.delivered} of ${figures.expectedDeliveries} expected, lost ${figures.lost}, ` +
      `other notices ${figures.otherNotices}, ` +
      `repeats ${figures.repeats}, drained ${figures.drainSeconds.toFixed(1)} s after the last publish`,
    `RSS MB per process (start, at the end of each ${unit} window and of sending, after the drain):`,
  ];
  const width = Math.max(...Object.keys(figures.rssMb).map((n) => n.length));
  for (const [name, values] of Object.entries(figures.rssMb)) {
    lines.push(`  ${name.padEnd(width)}  ${values.map((mb) => mb.toFixed(0).padStart(4)).join(" ")}`);
  }
  lines.push(`publish-to-webhook latency per ${unit} window (by publish time):`);
  for (const w of figures.latency) {
    lines.push(
      `  window ${w.window}: ${w.deliveries} deliveries, p50 ${w.p50Ms} ms, p99 ${w.p99Ms} ms, max ${w.maxMs} ms`,
    );
  }
  return lines.join("\n");
};
