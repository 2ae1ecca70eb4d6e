// The order one connection's events act in (issue 9, §2): a join and a leave in one polling request must not
// announce "has left" and then a phantom "has joined" because the join was still reading history.
type Task = () => Promise<void>;

const ignore = (): void => undefined;

/**
 * Membership changes (join, leave, disconnect) of one connection run one after another, each once the one
 * before has answered and announced. Every other event starts once the changes that arrived before it are
 * done, and does not wait for its own kind: a burst of sends still reaches the repository together, so it
 * is committed as one batch.
 */
export class EventOrder {
  /** Settles when the last membership change so far is done; null when none is pending. */
  private tail: Promise<void> | null = null;

  /** Runs a membership change after the ones before it; starts at once (synchronously) when none is pending. */
  change(task: Task): Promise<void> {
    const run = this.tail === null ? task() : this.tail.then(task);
    const settled = run.then(ignore, ignore);
    this.tail = settled;
    void settled.then(() => {
      if (this.tail === settled) this.tail = null;
    });
    return run;
  }

  /** Runs an event that reads membership: at once when no change is pending, else after the pending ones. */
  read(task: Task): Promise<void> {
    return this.tail === null ? task() : this.tail.then(task);
  }
}
