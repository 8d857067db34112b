/** A per-run memo of expensive intermediate results (aggregated predictors, loaded series). */
export interface Cache {
  get<T>(key: string): T | undefined;
  set<T>(key: string, value: T): void;
  /** Compute once per key, sharing the pending promise between concurrent callers. */
  memo<T>(key: string, compute: () => Promise<T>): Promise<T>;
}

export function createMemoryCache(): Cache {
  const map = new Map<string, unknown>();
  return {
    get: <T>(k: string) => map.get(k) as T | undefined,
    set: (k, v) => void map.set(k, v),
    memo: <T>(k: string, compute: () => Promise<T>): Promise<T> => {
      if (!map.has(k)) {
        const p = compute();
        map.set(k, p);
        p.catch(() => map.delete(k));
      }
      return map.get(k) as Promise<T>;
    },
  };
}
