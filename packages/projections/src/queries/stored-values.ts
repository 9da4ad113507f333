import type { Store } from "@tongbao/bus";
import type { Stored } from "../model.ts";

/** Every value of a read model's bucket (optionally those whose key matches `filter`). */
export const storedValues = async <S>(store: Store<Stored<S>>, filter?: string): Promise<S[]> => {
  const keys: string[] = [];
  for await (const key of store.keys(filter)) keys.push(key);
  const values: S[] = [];
  for (let i = 0; i < keys.length; i += 256) {
    const batch = await Promise.all(keys.slice(i, i + 256).map((key) => store.get(key)));
    for (const stored of batch) if (stored !== null) values.push(stored.value.state);
  }
  return values;
};
