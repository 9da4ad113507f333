import { JetStreamApiError, type StreamConfig } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";
import { type BusMode, type DomainStreamSpec, domainStreamSpecs, sourceKey } from "./domains.ts";
import type { TopologyDifference } from "./errors.ts";
import { differencesOf, Streams, streamSpecs, type TopologyOptions } from "./topology.ts";

const isNotFound = (error: unknown) => error instanceof JetStreamApiError && error.code === 10059;

/** Every stream of a leaf or hub domain: its own ones, and the dead-letter streams every domain has. */
export const specsOfDomain = (mode: BusMode, options: TopologyOptions = {}): DomainStreamSpec[] => {
  const own = domainStreamSpecs(mode, options);
  const replaced = new Set<string>([Streams.events, Streams.direct, Streams.receipts, Streams.advisories]);
  return [...streamSpecs(options).filter((spec) => !replaced.has(spec.name)), ...own];
};

/**
 * Creates what is missing. A stream whose sources lack some (a city added to the metro) gets them
 * added; any other difference is reported, never changed.
 */
const ensureDomainStream = async (
  conn: Connection,
  spec: DomainStreamSpec,
): Promise<TopologyDifference[]> => {
  let config: StreamConfig;
  try {
    config = (await conn.jsm.streams.info(spec.name)).config;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await conn.jsm.streams.add(spec);
    return [];
  }
  const { name, sources = [], ...settings } = spec;
  const differences = differencesOf(name, settings, {
    ...(config as unknown as Record<string, unknown>),
    subjects: config.subjects ?? [],
  });
  const present = new Set((config.sources ?? []).map(sourceKey));
  const wanted = new Set(sources.map(sourceKey));
  const unexpected = [...present].filter((key) => !wanted.has(key));
  if (unexpected.length > 0) {
    differences.push({ resource: name, setting: "sources", expected: [...wanted], actual: [...present] });
  } else if (present.size < wanted.size && differences.length === 0) {
    await conn.jsm.streams.update(name, { ...config, sources });
  }
  return differences;
};

export const ensureDomainStreams = async (
  conn: Connection,
  mode: BusMode,
  options: TopologyOptions = {},
): Promise<TopologyDifference[]> => {
  const differences: TopologyDifference[] = [];
  for (const spec of specsOfDomain(mode, options))
    differences.push(...(await ensureDomainStream(conn, spec)));
  return differences;
};
