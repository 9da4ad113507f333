/**
 * A map that keeps its newest `entries` keys: for what one process derives from a stored message
 * and reuses across its subscriptions (decoded.ts, read-decisions.ts).
 */
export const boundedCache = <V>(entries: number) => {
  const values = new Map<string, V>();
  return {
    get: (key: string) => values.get(key),
    set: (key: string, value: V) => {
      values.set(key, value);
      if (values.size > entries) values.delete(values.keys().next().value as string);
    },
    delete: (key: string) => values.delete(key),
  };
};
