import type { Bus, Store } from "@tongbao/bus";
import type { StreamName } from "../model.ts";

/** Per read model and stream, the sequence of the last event whose effects are stored. */
export interface Checkpoints {
  read(model: string, stream: StreamName): Promise<number>;
  write(model: string, stream: StreamName, seq: number): Promise<void>;
  remove(model: string, stream: StreamName): Promise<void>;
}

interface Checkpoint {
  readonly seq: number;
  readonly at: string;
}

export const CHECKPOINT_BUCKET = "rm-checkpoints";

export const openCheckpoints = async (bus: Bus): Promise<Checkpoints> => {
  const store: Store<Checkpoint> = await bus.openStore<Checkpoint>(CHECKPOINT_BUCKET);
  const keyOf = (model: string, stream: StreamName) => `${model}.${stream}`;
  return {
    read: async (model, stream) => (await store.get(keyOf(model, stream)))?.value.seq ?? 0,
    write: async (model, stream, seq) => {
      await store.put(keyOf(model, stream), { seq, at: new Date().toISOString() });
    },
    remove: (model, stream) => store.delete(keyOf(model, stream)),
  };
};
