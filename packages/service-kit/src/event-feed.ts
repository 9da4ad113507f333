import type { ServerResponse } from "node:http";
import type { Following, ReplayedEvent } from "@tongbao/bus";

export type FeedStream = "events" | "direct";

export interface EventFeedOptions {
  /** The raw response, already taken over from the HTTP framework. */
  readonly res: ServerResponse;
  /** What is followed, by stream: each is stopped when the feed closes. */
  readonly follows: Readonly<Partial<Record<FeedStream, Following>>>;
  /** One server-sent event for one stored event: `id:`, `event:` and `data:` lines. */
  readonly format: (stream: FeedStream, replayed: ReplayedEvent) => string;
  /** A comment line this often keeps proxies from closing an idle feed. */
  readonly heartbeatMs: number;
  /** Cache-Control of the response. */
  readonly cacheControl?: string;
  readonly onError: (error: unknown) => void;
  readonly onClose?: () => void;
}

/**
 * Starts the follows of a feed together; if one cannot start, stops those that did and throws its
 * error, so a failed start leaves no consumer behind.
 */
export const startFollows = async (
  starts: Readonly<Record<FeedStream, () => Promise<Following>>>,
): Promise<Record<FeedStream, Following>> => {
  const [events, direct] = await Promise.allSettled([starts.events(), starts.direct()]);
  if (events.status === "fulfilled" && direct.status === "fulfilled")
    return { events: events.value, direct: direct.value };
  for (const started of [events, direct]) {
    if (started.status === "fulfilled") await started.value.stop().catch(() => undefined);
  }
  throw (events.status === "rejected" ? events : (direct as PromiseRejectedResult)).reason;
};

const writeOrWait = async (res: ServerResponse, chunk: string) => {
  if (res.write(chunk)) return;
  // A slow reader: stop pulling from the bus until its socket drains (or goes away).
  await new Promise<void>((resolve) => {
    res.once("drain", resolve);
    res.once("close", resolve);
  });
};

/**
 * Serves followed events as server-sent events until the client goes away or `close()` is called
 * (e.g. at shutdown). Returns that close function.
 */
export const serveEventFeed = (options: EventFeedOptions): (() => Promise<void>) => {
  const { res, follows } = options;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": options.cacheControl ?? "no-cache",
    // The socket ends with the feed: it never idles in a keep-alive pool that would hold up a shutdown.
    connection: "close",
    "x-accel-buffering": "no",
  });
  res.write(": connected\n\n");
  const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), options.heartbeatMs);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    options.onClose?.();
    await Promise.all(Object.values(follows).map((f) => f.stop().catch(() => undefined)));
    res.end();
  };
  res.on("close", () => void close());
  const pump = async (stream: FeedStream, following: Following) => {
    for await (const replayed of following) {
      if (closed) return;
      await writeOrWait(res, options.format(stream, replayed));
    }
  };
  const entries = Object.entries(follows) as [FeedStream, Following][];
  Promise.all(entries.map(([stream, following]) => pump(stream, following))).then(
    () => close(),
    (error: unknown) => {
      options.onError(error);
      void close();
    },
  );
  return close;
};
