// Work that must not interleave per key: each call for a key runs once every earlier one for it has ended (however
// it ended), and nothing is kept for a key with no turn waiting. The file library serialises a blob's store and
// release with it (files/library.ts); edits and deletes of one message take turns with it (chat/message-turns.ts).
export class KeyedTurns {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every earlier turn of `key` has ended; its own result, rejection included. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const turn = before.then(work, work);
    const ended = turn.catch(() => undefined);
    this.tails.set(key, ended);
    void ended.then(() => {
      if (this.tails.get(key) === ended) this.tails.delete(key); // the last turn: nothing is kept for the key
    });
    return turn;
  }
}
