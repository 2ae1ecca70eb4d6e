// The appends' group commit shared by the SQLite and PostgreSQL stores (src/storage/group-commit.ts): one batch per
// turn of the event loop, at most maxBatch each, in arrival order, and a failed batch rejects only its own appends
// (a refused row only itself).
import { describe, expect, it } from "vitest";
import { GroupCommit } from "../src/storage/group-commit.js";
import { AttachmentUnavailableError, type AppendResult, type NewMessage } from "../src/storage/repository.js";

const msg = (content: string): NewMessage => ({ room: "general", sender: "ana", content, sentAt: new Date(0) });
const stored = (m: NewMessage, id: number): AppendResult => ({ message: { id, room: m.room, sender: m.sender, content: m.content, sentAt: m.sentAt, clientId: null }, duplicate: false });

describe("the group commit", () => {
  it("writes what arrives in one turn as one batch, split at maxBatch, batches in arrival order", async () => {
    const batches: string[][] = [];
    let id = 0;
    const commits = new GroupCommit(async (batch) => {
      batches.push(batch.map((m) => m.content));
      return batch.map((m) => stored(m, ++id));
    }, 2);
    const results = await Promise.all(["a", "b", "c", "d", "e"].map((c) => commits.add(msg(c))));
    expect(batches).toEqual([["a", "b"], ["c", "d"], ["e"]]);
    expect(results.map((r) => [r.message.content, r.message.id])).toEqual([["a", 1], ["b", 2], ["c", 3], ["d", 4], ["e", 5]]);
  });

  it("rejects an append its batch refused alone (an error in its place), and resolves the others of the batch", async () => {
    const commits = new GroupCommit(async (batch) => batch.map((m, i) => (m.content === "taken" ? new AttachmentUnavailableError() : stored(m, i + 1))));
    const settled = await Promise.allSettled(["before", "taken", "after"].map((c) => commits.add(msg(c))));
    expect(settled.map((r) => (r.status === "fulfilled" ? r.value.message.content : r.reason))).toEqual(["before", expect.any(AttachmentUnavailableError), "after"]);
  });

  it("rejects a failed batch's appends only, and drain() waits for everything queued", async () => {
    let calls = 0;
    const commits = new GroupCommit(async (batch) => {
      calls++;
      if (calls === 1) throw new Error("disk full");
      return batch.map((m, i) => stored(m, i + 1));
    }, 1);
    const first = commits.add(msg("one"));
    const second = commits.add(msg("two"));
    const drained = commits.drain();
    await expect(first).rejects.toThrow("disk full");
    await drained;
    expect((await second).message.content).toBe("two");
  });
});
