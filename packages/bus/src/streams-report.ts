import type { ConsumerInfo, StreamInfo, StreamSourceInfo } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";

export interface ConsumerReport {
  readonly name: string;
  /** Stored messages the consumer has not been sent yet. */
  readonly numPending: number;
  /** Sent and not yet acknowledged. */
  readonly numAckPending: number;
  readonly numRedelivered: number;
  readonly durable: boolean;
}

export interface SourceReport {
  readonly name: string;
  /** The JetStream API of another domain it is sourced through (a city's or the hub's), if any. */
  readonly api?: string;
  readonly filterSubject?: string;
  /** Milliseconds since the source was last heard from; null when never. Growing = a stale link. */
  readonly activeMs: number | null;
  /** Messages behind. Stays 0 during a partition: watch `activeMs`. */
  readonly lag: number;
}

export interface StreamReport {
  readonly name: string;
  readonly subjects: readonly string[];
  readonly messages: number;
  readonly bytes: number;
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly consumers: readonly ConsumerReport[];
  readonly sources: readonly SourceReport[];
}

const consumerReport = (info: ConsumerInfo): ConsumerReport => ({
  name: info.name,
  numPending: info.num_pending,
  numAckPending: info.num_ack_pending,
  numRedelivered: info.num_redelivered,
  durable: info.config.durable_name !== undefined,
});

const sourceReport = (info: StreamSourceInfo, config: StreamInfo["config"]): SourceReport => {
  // A hub sources a stream of the same name (OUTBOX) from every city: the domain's API tells them apart.
  const api = (info as StreamSourceInfo & { external?: { api?: string } }).external?.api;
  const configured = config.sources?.find(
    (s) => s.name === info.name && (api === undefined || s.external?.api === api),
  );
  return {
    name: info.name,
    ...(configured?.external?.api === undefined ? {} : { api: configured.external.api }),
    ...(configured?.filter_subject === undefined ? {} : { filterSubject: configured.filter_subject }),
    activeMs: info.active < 0 ? null : Math.round(info.active / 1e6),
    lag: info.lag,
  };
};

/** Every stream on the server (in this domain): its size, its consumers' backlogs, its sources' health. */
export const streamsReport = async (conn: Connection): Promise<StreamReport[]> => {
  const reports: StreamReport[] = [];
  for await (const info of conn.jsm.streams.list()) {
    const consumers: ConsumerReport[] = [];
    for await (const c of conn.jsm.consumers.list(info.config.name)) consumers.push(consumerReport(c));
    reports.push({
      name: info.config.name,
      subjects: info.config.subjects ?? [],
      messages: info.state.messages,
      bytes: info.state.bytes,
      firstSeq: info.state.first_seq,
      lastSeq: info.state.last_seq,
      consumers: consumers.sort((a, b) => a.name.localeCompare(b.name)),
      sources: (info.sources ?? []).map((s) => sourceReport(s, info.config)),
    });
  }
  return reports.sort((a, b) => a.name.localeCompare(b.name));
};
