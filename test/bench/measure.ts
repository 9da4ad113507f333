// Small helpers for test/bench/core.ts: alternating rounds, rates, memory sampling.

export interface Run {
  readonly n: number;
  readonly ms: number;
  /** CPU time of this process (user + system) during the run, µs: steadier than wall time here. */
  readonly cpuUs: number;
}

export interface Side {
  readonly name: "sdk" | "raw";
  /** Untimed preparation before every run (e.g. a fresh stream). */
  readonly before?: () => Promise<void>;
  /** Untimed check after every run. */
  readonly after?: (n: number) => Promise<void>;
  /** The timed part; returns how many events it handled. */
  readonly run: () => Promise<number>;
}

export const perSecond = (run: Run): number => (run.n * 1000) / run.ms;

const timed = async (side: Side): Promise<Run> => {
  await side.before?.();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const n = await side.run();
  const ms = performance.now() - start;
  const { user, system } = process.cpuUsage(cpu);
  await side.after?.(n);
  return { n, ms, cpuUs: user + system };
};

export interface Comparison {
  readonly sdk: readonly Run[];
  readonly raw: readonly Run[];
}

/** One warm-up run of each side, then `rounds` rounds; the side that goes first alternates. */
export const compare = async (sdk: Side, raw: Side, rounds: number): Promise<Comparison> => {
  await timed(sdk);
  await timed(raw);
  const result = { sdk: [] as Run[], raw: [] as Run[] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [sdk, raw] : [raw, sdk];
    for (const side of order) result[side.name].push(await timed(side));
  }
  return result;
};

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

/** Median of the per-round ratios (each round ran both sides back to back): a check on noise. */
export const pairedMedianRatio = (c: Comparison): number =>
  median(c.sdk.map((s, i) => perSecond(s) / perSecond(c.raw[i] ?? s)));

export const medianRate = (runs: readonly Run[]): number => median(runs.map(perSecond));
export const bestRate = (runs: readonly Run[]): number => Math.max(...runs.map(perSecond));

/** Median client CPU per event over the rounds, µs. */
export const cpuPerEvent = (runs: readonly Run[]): number => median(runs.map((r) => r.cpuUs / r.n));

const MB = 1024 * 1024;
export const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;

export interface MemorySample {
  readonly rss: number;
  readonly heapUsed: number;
}

export const sampleMemory = (): MemorySample => {
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};

export const peakOf = (samples: readonly MemorySample[]): MemorySample => ({
  rss: Math.max(...samples.map((s) => s.rss)),
  heapUsed: Math.max(...samples.map((s) => s.heapUsed)),
});

/** Peak heapUsed in each quarter of the samples: rising quarters would mean memory grows with the stream. */
export const quarterPeaks = (samples: readonly MemorySample[]): number[] =>
  [0, 1, 2, 3].map((q) => {
    const part = samples.slice(
      Math.floor((q * samples.length) / 4),
      Math.floor(((q + 1) * samples.length) / 4),
    );
    return Math.max(0, ...part.map((s) => s.heapUsed));
  });
