import type { Bus, Following, RefusedOnRead } from "@tongbao/bus";
import { ANY_AUDIENCE } from "@tongbao/events";
import type { StreamName } from "../model.ts";
import type { ModelRunner } from "./model-runner.ts";
import { lastSeqOf } from "./stream-position.ts";

export interface FollowerOptions {
  /** Flush after this many events … */
  readonly batchSize: number;
  /** … or this long after the first unflushed event. */
  readonly flushEveryMs: number;
  readonly onError: (error: unknown) => void;
  /** A stored message no model folds: unreadable, or a body that disagrees with its subject. */
  readonly onRefused: (refused: RefusedOnRead) => void;
  /** Wait before following again after an error. */
  readonly retryMs?: number;
}

export interface Follower {
  /** Resolves once everything stored when the follower started is folded and flushed. */
  readonly caughtUp: Promise<void>;
  /** Messages read from the stream so far. */
  delivered(): number;
  stop(): Promise<void>;
}

// Unreferenced: a pending wait never keeps the process alive.
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

// A feed's stop() settles only once its iterator has been read to the end, so it is never awaited
// before the loop that reads it; after an error it is given a bounded time.
const closeFeed = (feed: Following | undefined) =>
  feed === undefined ? Promise.resolve() : Promise.race([feed.stop().catch(() => undefined), sleep(2_000)]);

/**
 * Follows one stream for a set of read models, from the oldest of their checkpoints, history first
 * and then live. After an error (a write that failed, a lost connection) it forgets what is in
 * memory and starts again from the stored checkpoints.
 */
export const startFollower = (
  bus: Bus,
  stream: StreamName,
  runners: readonly ModelRunner[],
  options: FollowerOptions,
): Follower => {
  let stopped = false;
  let following: Following | undefined;
  let delivered = 0;
  let unflushed = 0;
  let timer: NodeJS.Timeout | undefined;
  let writeFailure: unknown;
  let markCaughtUp: () => void = () => undefined;
  const caughtUp = new Promise<void>((resolve) => {
    markCaughtUp = resolve;
  });
  let target = Number.POSITIVE_INFINITY;
  let lastSeen = 0;

  const flushAll = async () => {
    clearTimeout(timer);
    timer = undefined;
    unflushed = 0;
    const reached = lastSeen;
    await Promise.all(runners.map((r) => r.flush()));
    if (reached >= target) markCaughtUp();
  };
  // One flush writes while the next batch is folded (the runners keep what is being written apart
  // from what changes meanwhile); a second waits for it, so memory stays bounded.
  let writing: Promise<void> = Promise.resolve();
  const flushBehind = async () => {
    await writing;
    writing = flushAll();
    // Failed with no event after it, the loop would not notice: end the feed, like a timed flush.
    writing.catch((error: unknown) => {
      writeFailure = error;
      void following?.stop();
    });
  };

  const flushSoon = () => {
    timer ??= setTimeout(() => {
      timer = undefined;
      flushAll().catch((error: unknown) => {
        writeFailure = error;
        void following?.stop();
      });
    }, options.flushEveryMs);
  };

  const followOnce = async () => {
    const from = Math.min(...runners.map((r) => r.applied[stream])) + 1;
    lastSeen = from - 1;
    if (target === Number.POSITIVE_INFINITY) target = await lastSeqOf(bus, stream);
    if (lastSeen >= target) markCaughtUp();
    following = await bus.follow({
      stream,
      ...(stream === "direct" ? { audience: ANY_AUDIENCE } : {}),
      fromSeq: from,
      onRefused: (refused) => {
        options.onRefused(refused);
        // Passed over all the same: the last stored message may be one no model folds.
        lastSeen = Math.max(lastSeen, refused.seq);
        if (lastSeen >= target) flushSoon();
      },
    });
    // Stopped while the consumer was being made: the loop below ends at once.
    if (stopped) void closeFeed(following);
    for await (const record of following) {
      delivered += 1;
      lastSeen = record.seq;
      for (const runner of runners) {
        const fetching = runner.apply(record, stream);
        if (fetching !== undefined) await fetching;
      }
      unflushed += 1;
      if (lastSeen === target) {
        await writing;
        await flushAll();
      } else if (unflushed >= options.batchSize) await flushBehind();
      else flushSoon();
    }
    if (writeFailure !== undefined) throw writeFailure;
    await writing;
    await flushAll();
  };

  const run = async () => {
    while (!stopped) {
      try {
        await followOnce();
      } catch (error) {
        clearTimeout(timer);
        timer = undefined;
        writeFailure = undefined;
        await closeFeed(following);
        if (stopped) break;
        options.onError(error);
        await sleep(options.retryMs ?? 1_000);
        for (const runner of runners) await runner.reload().catch(options.onError);
      }
    }
  };
  const running = run();

  return {
    caughtUp,
    delivered: () => delivered,
    stop: async () => {
      stopped = true;
      const closing = closeFeed(following);
      await running;
      await closing;
    },
  };
};
