import type { StreamConfig } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import type { Connection } from "../connect.ts";
import { TopologyConflictError, type TopologyDifference } from "../errors.ts";
import { isNotFound } from "../nats-errors.ts";
import { Buckets } from "./names.ts";
import { placing } from "./placing.ts";
import { type StreamSpec, sourceKey, streamSpecsOf, type TopologyOptions } from "./specs.ts";

const DAY_MS = 86_400_000;

// Capabilities the server can turn on for an existing stream without touching what it holds: a
// stream created before Tongbao needed them gets them; none can be turned off again.
const ADDITIVE = ["allow_atomic", "allow_msg_ttl"] as const;

const sameValue = (expected: unknown, actual: unknown) =>
  Array.isArray(expected) && Array.isArray(actual)
    ? [...expected].sort().join("\n") === [...actual].sort().join("\n")
    : expected === actual || (expected === false && actual === undefined);

export const differencesOf = (
  resource: string,
  expected: Record<string, unknown>,
  actual: Record<string, unknown>,
): TopologyDifference[] =>
  Object.entries(expected)
    .filter(([setting, value]) => !sameValue(value, actual[setting]))
    .map(([setting, value]) => ({ resource, setting, expected: value, actual: actual[setting] }));

/**
 * Creates a missing stream. An existing one may gain what is additive (sources of a city added to
 * the metro, atomic batches, message TTLs); any other difference is reported, never changed.
 */
const ensureStream = async (conn: Connection, spec: StreamSpec): Promise<TopologyDifference[]> => {
  let config: StreamConfig;
  try {
    config = (await conn.jsm.streams.info(spec.name)).config;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await placing(() => conn.jsm.streams.add(spec));
    return [];
  }
  const { name, sources = [], ...settings } = spec;
  const differences = differencesOf(name, settings, {
    ...(config as unknown as Record<string, unknown>),
    subjects: config.subjects ?? [],
  });
  const present = new Set((config.sources ?? []).map(sourceKey));
  const wanted = new Set(sources.map(sourceKey));
  if ([...present].some((key) => !wanted.has(key))) {
    return [
      ...differences,
      { resource: name, setting: "sources", expected: [...wanted], actual: [...present] },
    ];
  }
  const additive = (d: TopologyDifference) => (ADDITIVE as readonly string[]).includes(d.setting);
  const others = differences.filter((d) => !additive(d));
  if (others.length > 0) return others;
  // A capability Tongbao does not use on this stream may stay on.
  const gains = differences.filter((d) => d.expected === true);
  if (gains.length > 0 || present.size < wanted.size) {
    const gained = Object.fromEntries(gains.map((d) => [d.setting, true]));
    await conn.jsm.streams.update(name, { ...config, ...gained, sources });
  }
  return [];
};

/**
 * Makes sure every stream and bucket Tongbao needs in this connection's mode exists with its
 * settings. Idempotent: run it at every start.
 */
export const ensureTopology = async (conn: Connection, options: TopologyOptions = {}): Promise<void> => {
  const differences: TopologyDifference[] = [];
  for (const spec of streamSpecsOf(conn.mode, options)) differences.push(...(await ensureStream(conn, spec)));
  if (differences.length > 0) throw new TopologyConflictError(differences);
  const kvm = new Kvm(conn.js);
  const replicas = options.replicas ?? 1;
  await placing(() =>
    kvm.create(Buckets.handled, { history: 1, replicas, ttl: options.handledTtlMs ?? 7 * DAY_MS }),
  );
  await placing(() => kvm.create(Buckets.takeovers, { history: 1, replicas, ttl: DAY_MS }));
};
