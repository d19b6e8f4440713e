// Runs an async job per item with a bound on how many run at once, results in item order. Reading
// 10,000 files all at once would open 10,000 descriptors (EMFILE); one at a time would wait for
// 10,000 round trips to the thread pool.
export async function mapConcurrent<T, R>(items: readonly T[], limit: number, job: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await job(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
