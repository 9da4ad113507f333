import { JetStreamApiCodes, JetStreamApiError, type StreamInfo } from "@nats-io/jetstream";
import type { Connection } from "./connect.ts";

/**
 * A stream's config and state as a city may read them. The info request takes a `subjects_filter`
 * that lists every subject the stream holds, so cities are refused STREAM.INFO of the shared DIRECT
 * stream (it would list who sent what to whom); the stream list answers the same config and state
 * without a subject listing. Other streams are asked directly.
 */
export const streamInfoOf = async (conn: Connection, stream: string): Promise<StreamInfo> => {
  if (stream !== conn.streams.direct) return conn.jsm.streams.info(stream);
  for await (const info of conn.jsm.streams.list()) if (info.config.name === stream) return info;
  throw new JetStreamApiError({
    code: 404,
    err_code: JetStreamApiCodes.StreamNotFound,
    description: `stream ${stream} not found`,
  });
};
