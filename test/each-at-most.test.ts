// eachAtMost (src/shared/each-at-most.ts): one message's push targets side by side, bounded. Driven by promises the
// test releases itself: which items are in progress is read between steps, never timed.
import { describe, expect, it } from "vitest";
import { eachAtMost } from "../src/shared/each-at-most.js";

/** An item's work that ends only when the test releases it. */
function gatedWork() {
  const started: number[] = [];
  const release = new Map<number, () => void>();
  const work = (item: number): Promise<void> => {
    started.push(item);
    return new Promise((resolve) => release.set(item, resolve));
  };
  return { started, work, release: (item: number) => release.get(item)?.() };
}

/** Lets every promise callback queued so far run (the workers take their next item in one). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("eachAtMost", () => {
  it("starts at most `limit` items, in list order, and the next one as soon as any ends (a slow one holds only its slot)", async () => {
    const { started, work, release } = gatedWork();
    let isDone = false;
    const all = eachAtMost([1, 2, 3, 4, 5], 2, work).then(() => {
      isDone = true;
    });
    await settle();
    expect(started).toEqual([1, 2]);
    release(2); // 1 stays slow
    await settle();
    expect(started).toEqual([1, 2, 3]);
    release(3);
    await settle();
    release(4);
    await settle();
    expect(started).toEqual([1, 2, 3, 4, 5]);
    release(5);
    await settle();
    expect(isDone).toBe(false); // 1 is still in progress
    release(1);
    await all;
    expect(isDone).toBe(true);
  });

  it("runs every item when the limit is above the list's length, and nothing for an empty list", async () => {
    const { started, work, release } = gatedWork();
    const all = eachAtMost([7, 8], 10, work);
    await settle();
    expect(started).toEqual([7, 8]);
    release(7);
    release(8);
    await all;
    await eachAtMost([], 3, work);
    expect(started).toEqual([7, 8]);
  });
});
