// Work over a list, side by side but bounded: at most `limit` items in progress at once, taken in list order, so a
// slow item holds up only its own slot while the others go on. Pushes use it for one message's targets
// (push/service.ts): a list of hundreds must not take hundreds of database connections at once.

/** Runs `work` for every item, at most `limit` at a time; resolves when all have ended. `work` must not reject. */
export async function eachAtMost<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
