/**
 * Work queued during one turn of the event loop starts together at its end (setImmediate). The NATS
 * client writes to its socket after each callback's microtasks; a service answering many HTTP
 * requests or webhook answers at once would otherwise make one socket write per publish or ack,
 * and on a busy machine those writes are the largest part of what a publish costs.
 */
export type AtTurnEnd = <T>(work: () => T | Promise<T>) => Promise<T>;

export const createTurnQueue = (): AtTurnEnd => {
  let queued: (() => void)[] = [];
  const runAll = () => {
    const now = queued;
    queued = [];
    for (const start of now) start();
  };
  return (work) =>
    new Promise((resolve, reject) => {
      queued.push(() => {
        try {
          Promise.resolve(work()).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      });
      if (queued.length === 1) setImmediate(runAll);
    });
};
