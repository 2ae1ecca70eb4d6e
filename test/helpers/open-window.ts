// A window between two steps of the server's work, opened wide so a test can commit a change inside it: no sleeps,
// the step waits for the test's release.

/**
 * `through(next)` (put in place of the later step's call) resolves `reached`, then waits for `release()` before it
 * runs `next`.
 */
export function openWindow(): { reached: Promise<void>; release: () => void; through: <T>(next: () => Promise<T>) => Promise<T> } {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let reach = (): void => undefined;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const through = async <T>(next: () => Promise<T>): Promise<T> => {
    reach();
    await released;
    return next();
  };
  return { reached, release, through };
}
