/**
 * Runs tasks with at most `limit` at once, and tasks that share a key one after another in the
 * order they came: events of one aggregate stay in order while different aggregates run in parallel.
 * A task waiting behind its key holds no slot, so an aggregate stuck on a retry holds up only itself;
 * what waits is bounded by the consumer's max_ack_pending (the server delivers no more).
 */
export const createKeyedQueue = (limit: number) => {
  const tails = new Map<string, Promise<void>>();
  const pending = new Set<Promise<void>>();
  const waitingForSlot: (() => void)[] = [];
  let running = 0;

  const slot = async () => {
    if (running < limit) running++;
    else await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  };
  // A freed slot passes straight to the longest-waiting task, so tasks start in the order they came.
  const release = () => {
    const next = waitingForSlot.shift();
    if (next) next();
    else running--;
  };

  /** Queues a task. Its failure is its own: the tasks behind it on its key run regardless. */
  const push = (key: string, task: () => Promise<void>): void => {
    const previous = tails.get(key) ?? Promise.resolve();
    const current: Promise<void> = previous
      .then(async () => {
        await slot();
        try {
          await task();
        } finally {
          release();
        }
      })
      .catch(() => undefined)
      .finally(() => {
        pending.delete(current);
        if (tails.get(key) === current) tails.delete(key);
      });
    tails.set(key, current);
    pending.add(current);
  };

  /** Resolves when every task queued so far has finished. */
  const idle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };

  return { push, idle };
};
