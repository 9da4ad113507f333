/**
 * Runs tasks with at most `limit` at once, and tasks that share a key one after another in the
 * order they came: events of one aggregate stay in order while different aggregates run in parallel.
 */
export const createKeyedQueue = (limit: number) => {
  const tails = new Map<string, Promise<void>>();
  const running = new Set<Promise<void>>();

  const run = async (key: string, task: () => Promise<void>): Promise<void> => {
    while (running.size >= limit) await Promise.race(running);
    const previous = tails.get(key) ?? Promise.resolve();
    const current: Promise<void> = previous.then(task).finally(() => {
      running.delete(current);
      if (tails.get(key) === current) tails.delete(key);
    });
    tails.set(key, current);
    running.add(current);
  };

  /** Resolves when every task accepted so far has finished. */
  const idle = async () => {
    while (running.size > 0) await Promise.allSettled([...running]);
  };

  return { run, idle };
};
