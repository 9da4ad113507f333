import type { Bus, ReplayedEvent, Store } from "@tongbao/bus";
import { type AnyReadModel, type Applied, folds, type Stored, type StreamName } from "../model.ts";
import type { Checkpoints } from "./checkpoints.ts";

/**
 * One read model at work: folds events into its values, keeps the values it touched in memory, and
 * writes the changed ones, then its checkpoint, when asked to flush. A value records the sequence
 * of the last event applied to it, so after a crash between the two writes the events after the
 * checkpoint are applied again only where they had not been: restarts never count twice.
 */
export interface ModelRunner {
  readonly model: AnyReadModel;
  /** Per stream, the last sequence folded in memory. */
  readonly applied: Readonly<Record<StreamName, number>>;
  /** Per stream, the last sequence whose effects are stored (the checkpoint). */
  readonly checkpoint: Readonly<Record<StreamName, number>>;
  /** Folds one event; a promise only when the value had to be fetched (await it before the next). */
  apply(record: ReplayedEvent, stream: StreamName): Promise<void> | undefined;
  flush(): Promise<void>;
  /** Forgets what is in memory and starts again from the stored checkpoint. */
  reload(): Promise<void>;
  /** Drops the model's values and checkpoint: the next events fold from nothing. */
  clear(): Promise<void>;
}

export interface RunnerOptions {
  /** Values kept in memory between flushes; beyond it the memory is emptied after a flush. */
  readonly maxCached?: number;
  /** Keys remembered as written while the bucket started empty (default 2,000,000). */
  readonly maxKnownKeys?: number;
}

type Value = Stored<unknown>;

/** The value's sequences with `stream`'s moved to `seq`, in one of three fixed shapes (cheap to make). */
const advanced = (previous: Applied | undefined, stream: StreamName, seq: number): Applied => {
  const events = stream === "events" ? seq : previous?.events;
  const direct = stream === "direct" ? seq : previous?.direct;
  if (direct === undefined) return { events: events as number };
  return events === undefined ? { direct } : { events, direct };
};

const isEmpty = async (store: Store<Value>) => {
  for await (const _ of store.keys()) return false;
  return true;
};

export const createModelRunner = async (
  bus: Bus,
  model: AnyReadModel,
  checkpoints: Checkpoints,
  options: RunnerOptions = {},
): Promise<ModelRunner> => {
  const maxCached = options.maxCached ?? 100_000;
  const maxKnownKeys = options.maxKnownKeys ?? 2_000_000;
  // A model folded from directed messages derives from personal data: it expires as they do.
  const storeOptions = { expiresWithDirect: model.streams.includes("direct") };
  let store = await bus.openStore<Value>(model.bucket, storeOptions);
  // The folds decide again what the publisher decided, with the metro the bus was given.
  const decisions = bus.metro === undefined ? {} : { decisions: { metro: bus.metro } };
  const applied: Record<StreamName, number> = { events: 0, direct: 0 };
  const checkpoint: Record<StreamName, number> = { events: 0, direct: 0 };
  let cache = new Map<string, Value | null>();
  let dirty = new Map<string, Value>();
  let writing = new Map<string, Value>();
  // True while every value in the bucket went through this runner: a key it never wrote is absent,
  // no get. The keys it wrote are remembered apart from the values, so that emptying the value cache
  // (a rebuild of a long history: one notice-index key per notice) does not turn every new key into
  // a round trip to the bucket.
  let knownEmpty = false;
  let written = new Set<string>();
  let flushing: Promise<void> = Promise.resolve();

  const reload = async () => {
    await flushing.catch(() => undefined);
    cache = new Map();
    dirty = new Map();
    writing = new Map();
    for (const stream of model.streams) {
      checkpoint[stream] = await checkpoints.read(model.name, stream);
      applied[stream] = checkpoint[stream];
    }
    knownEmpty = model.streams.every((s) => checkpoint[s] === 0) && (await isEmpty(store));
    written = new Set();
  };

  /** The value as this runner knows it without asking the bucket, or undefined when it must ask. */
  const known = (key: string): Value | null | undefined => {
    // Every key folded while the bucket started empty is in `written`: a new key costs one lookup.
    if (knownEmpty && !written.has(key)) return null;
    return cache.get(key) ?? dirty.get(key) ?? writing.get(key);
  };

  const fold = (
    key: string,
    stored: Value | null,
    { event, seq, recordedAt }: ReplayedEvent,
    stream: StreamName,
  ) => {
    if ((stored?.seq[stream] ?? 0) < seq) {
      const state = model.evolve(stored?.state, event, { stream, seq, recordedAt, ...decisions });
      if (state !== undefined && state !== stored?.state) {
        const value: Value = { state, seq: advanced(stored?.seq, stream, seq) };
        cache.set(key, value);
        dirty.set(key, value);
        if (knownEmpty) written.add(key);
      }
    }
    applied[stream] = seq;
  };

  // Synchronous when the value is in memory (a rebuild: nearly always), so that folding a long
  // history costs no promise per event and model; a value it has to fetch makes it wait.
  const apply = (record: ReplayedEvent, stream: StreamName): Promise<void> | undefined => {
    if (record.seq <= applied[stream]) return undefined;
    const key = folds(model, record.event) ? model.keyOf(record.event) : undefined;
    if (key === undefined) {
      applied[stream] = record.seq;
      return undefined;
    }
    const value = known(key);
    if (value !== undefined) {
      fold(key, value, record, stream);
      return undefined;
    }
    return store.get(key).then((stored) => {
      const fetched = stored?.value ?? null;
      cache.set(key, fetched);
      fold(key, fetched, record, stream);
    });
  };

  const write = async () => {
    writing = dirty;
    dirty = new Map();
    const reached = { ...applied };
    // Atomic batches: a few fsyncs per thousand values instead of one per value.
    await store.putMany([...writing]);
    writing = new Map();
    // Values first, then the checkpoint: a crash in between re-applies, and the values' seq skip it.
    for (const stream of model.streams) {
      if (reached[stream] > checkpoint[stream]) {
        await checkpoints.write(model.name, stream, reached[stream]);
        checkpoint[stream] = reached[stream];
      }
    }
    if (cache.size > maxCached) cache = new Map();
    // Keys cost a fraction of values; past this many, ask the bucket again.
    if (written.size > maxKnownKeys) {
      knownEmpty = false;
      written = new Set();
    }
  };

  const flush = () => {
    flushing = flushing.catch(() => undefined).then(write);
    return flushing;
  };

  const clear = async () => {
    await flushing.catch(() => undefined);
    // Checkpoint first: killed in between, the old values are still a consistent fold.
    for (const stream of model.streams) await checkpoints.remove(model.name, stream);
    await store.destroy();
    store = await bus.openStore<Value>(model.bucket, storeOptions);
    await reload();
  };

  await reload();
  return { model, applied, checkpoint, apply, flush, reload, clear };
};
