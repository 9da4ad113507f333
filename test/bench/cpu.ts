// CPU time per process during a benchmark phase, read from /proc (Linux): where the cores went.
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/** A process's role from its command line: nats-server, a service's folder, or this benchmark. */
const roleOf = (cmdline: string): string | undefined => {
  if (cmdline.includes("nats-server")) return "nats-server";
  if (cmdline.includes("bench/raw-relay.ts")) return "raw-relay";
  if (cmdline.includes("city-relay/src/sink/")) return "webhook-sink";
  const service = /services\/([a-z-]+)\/src\/main\.ts/.exec(cmdline)?.[1];
  if (service !== undefined) return service === "city-relay" ? "relays" : service;
  return undefined;
};

const read = (path: string) => {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
};

/** Clock ticks (user + system) by role, for this process and its descendants' roles. */
const sample = (): Map<string, number> => {
  const ticks = new Map<string, number>();
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    const own = Number(pid) === process.pid;
    const role = own ? "benchmark" : roleOf(read(`/proc/${pid}/cmdline`)?.replaceAll("\0", " ") ?? "");
    const stat = role === undefined ? undefined : read(`/proc/${pid}/stat`);
    if (role === undefined || stat === undefined) continue;
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks.set(role, (ticks.get(role) ?? 0) + Number(fields[11]) + Number(fields[12]));
    // Children of this process that ran and ended meanwhile (wrk, in the ingest rounds): cutime, cstime.
    if (own) ticks.set("ended children", Number(fields[13]) + Number(fields[14]));
  }
  return ticks;
};

/** Starts counting; the returned function gives each role's share of one core since then, in %. */
export const cpuShares = () => {
  const before = sample();
  const started = performance.now();
  return () => {
    const seconds = (performance.now() - started) / 1000;
    const after = sample();
    return Object.fromEntries(
      [...after]
        .map(([role, ticks]) => [role, ticks - (before.get(role) ?? 0)] as const)
        .sort((a, b) => b[1] - a[1])
        .map(([role, ticks]) => [role, Math.round((ticks / TICKS_PER_SECOND / seconds) * 100)]),
    );
  };
};

/** "nats-server 32, relays 53, …  (in all 122)" */
export const sharesText = (shares: Readonly<Record<string, number>>) =>
  `${Object.entries(shares)
    .map(([role, share]) => `${role} ${share}`)
    .join(", ")}  (in all ${Object.values(shares).reduce((a, b) => a + b, 0)})`;
