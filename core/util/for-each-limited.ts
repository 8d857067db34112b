/** Files a scene reads at once (its own loads and a layer-backed series' whole read): a daily series has hundreds. */
export const FILES_IN_FLIGHT = 8;

/** Runs `fn` over `items` with at most `limit` calls in flight, in order of start; rejects on the first failure. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
