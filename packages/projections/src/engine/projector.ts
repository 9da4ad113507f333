import type { Bus } from "@tongbao/bus";
import type { AnyReadModel, StreamName } from "../model.ts";
import { readModels, readModelsNamed } from "../models.ts";
import { openCheckpoints } from "./checkpoints.ts";
import { type Follower, startFollower } from "./follower.ts";
import { createModelRunner, type ModelRunner, type RunnerOptions } from "./model-runner.ts";

/** What the projector logs through: pino's logger fits. Ids, counts and errors only, never data. */
export interface ProjectorLogger {
  info(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ProjectorOptions {
  readonly bus: Bus;
  readonly models?: readonly AnyReadModel[];
  readonly logger?: ProjectorLogger;
  /** Values and checkpoints are written after this many events … (default 10,000: a long history
   * folds in fewer, larger atomic batches; live events wait for the timer instead) */
  readonly batchSize?: number;
  /** … or this long after the first unwritten one (default 200 ms). */
  readonly flushEveryMs?: number;
  /** How many values and written keys each read model keeps in memory (model-runner.ts). */
  readonly memory?: RunnerOptions;
}

export interface RebuildFigures {
  readonly models: string[];
  /** Messages folded from the log. */
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
}

export interface ModelStatus {
  readonly name: string;
  readonly bucket: string;
  /** Per stream, the last sequence whose effects are stored. */
  readonly checkpoint: Partial<Record<StreamName, number>>;
}

export interface ProjectorStatus {
  readonly caughtUp: boolean;
  readonly rebuilding: boolean;
  readonly models: ModelStatus[];
  /** Stored messages no model folded since start: unreadable, or a body that disagrees with its
   * subject (a forgery by a raw client). Each is logged with its sequence and reason. */
  readonly refusedOnRead: number;
}

export interface Projector {
  /** Resolves once everything stored at start is folded and written. */
  readonly ready: Promise<void>;
  status(): ProjectorStatus;
  /** Drops the named read model (all when absent) and folds it again from the first event. */
  rebuild(name?: string): Promise<RebuildFigures>;
  stop(): Promise<void>;
}

const silent: ProjectorLogger = { info: () => undefined, error: () => undefined };

/**
 * Keeps read models current: follows EVENTS (and DIRECT, for the models that fold directed
 * messages) from each model's checkpoint, folds every event into every model, and writes the
 * changed values and then the checkpoints in batches.
 */
export const createProjector = (options: ProjectorOptions): Projector => {
  const { bus } = options;
  const logger = options.logger ?? silent;
  const models = options.models ?? readModels;
  let runners: ModelRunner[] = [];
  let followers: Follower[] = [];
  let caughtUp = false;
  let rebuilding = false;
  let refusedOnRead = 0;

  let stopRequested = false;

  const follow = () => {
    if (stopRequested) return Promise.resolve();
    const streams = [...new Set(runners.flatMap((r) => r.model.streams))];
    followers = streams.map((stream) =>
      startFollower(
        bus,
        stream,
        runners.filter((r) => r.model.streams.includes(stream)),
        {
          batchSize: options.batchSize ?? 10_000,
          flushEveryMs: options.flushEveryMs ?? 200,
          onError: (error) => logger.error({ err: error, stream }, "read models fell behind; resuming"),
          onRefused: (refused) => {
            refusedOnRead += 1;
            logger.error({ stream, ...refused }, "a stored message no read model folds");
          },
        },
      ),
    );
    return Promise.all(followers.map((f) => f.caughtUp)).then(() => undefined);
  };

  const pause = async () => {
    const paused = followers;
    followers = [];
    await Promise.all(paused.map((f) => f.stop()));
    return paused.reduce((sum, f) => sum + f.delivered(), 0);
  };

  let signalStop: (reason: Error) => void = () => undefined;
  const stopping = new Promise<never>((_, reject) => {
    signalStop = reject;
  });
  stopping.catch(() => undefined);

  const opened = (async () => {
    const checkpoints = await openCheckpoints(bus);
    runners = await Promise.all(
      models.map((model) => createModelRunner(bus, model, checkpoints, options.memory)),
    );
  })();
  const ready = (async () => {
    await Promise.race([opened, stopping]);
    await Promise.race([follow(), stopping]);
    caughtUp = true;
    logger.info({ models: models.map((m) => m.name) }, "read models caught up");
  })();
  ready.catch(() => undefined);

  return {
    ready,
    status: () => ({
      caughtUp,
      rebuilding,
      refusedOnRead,
      models: runners.map((r) => ({
        name: r.model.name,
        bucket: r.model.bucket,
        checkpoint: Object.fromEntries(r.model.streams.map((s) => [s, r.checkpoint[s]])),
      })),
    }),
    rebuild: async (name) => {
      const chosen = readModelsNamed(name, models).map((m) => m.name);
      if (rebuilding) throw new Error("a rebuild is already running");
      await ready;
      rebuilding = true;
      try {
        await pause();
        const started = performance.now();
        for (const runner of runners.filter((r) => chosen.includes(r.model.name))) await runner.clear();
        logger.info({ models: chosen }, "rebuilding read models from the log");
        await follow();
        const seconds = (performance.now() - started) / 1000;
        const events = followers.reduce((sum, f) => sum + f.delivered(), 0);
        const figures = { models: chosen, events, seconds, eventsPerSecond: Math.round(events / seconds) };
        logger.info(figures, "read models rebuilt");
        return figures;
      } finally {
        rebuilding = false;
      }
    },
    stop: async () => {
      stopRequested = true;
      signalStop(new Error("the projector stopped before it caught up"));
      await opened.catch(() => undefined);
      await pause();
    },
  };
};
