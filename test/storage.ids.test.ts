// An id handed out is never handed out again: clients keep the ids they saw (since cursors, "already shown"),
// so a reused id would hide a new message. Holds for the Flask app's INSERTs into the same file too.
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { startTestApp, tempDatabase } from "./helpers/app.js";
import { createFlaskDatabase, FLASK_INSERT, flaskHistory, withFlaskConnection } from "./helpers/flask-db.js";

const ROOM = "lobby";

function openRepo(path: string): SqliteMessageRepository {
  const repo = new SqliteMessageRepository(path, { busyTimeoutMs: 1000, log: createCapturingLogger() });
  onTestFinished(() => repo.close());
  return repo;
}

const append = async (repo: SqliteMessageRepository, content: string): Promise<number> =>
  (await repo.append({ room: ROOM, sender: "ana", content, sentAt: new Date() })).message.id;

const flaskInsert = (path: string, content: string): number =>
  withFlaskConnection(path, (db) => Number(db.prepare(FLASK_INSERT).run(ROOM, "flask-user", content, "2026-01-02 03:04:05.000000").lastInsertRowid));

const deleteFrom = (path: string, id: number): void => withFlaskConnection(path, (db) => void db.prepare("DELETE FROM chat_message WHERE id >= ?").run(id));

describe("ids after the newest rows are deleted", () => {
  it("are not reused by the port, nor by the Flask app's INSERT, nor after a restart", async () => {
    const db = tempDatabase("chat_history.db");
    onTestFinished(db.remove);
    createFlaskDatabase(db.path, [{ room: ROOM, sender: "ana", content: "flask 1", timestamp: "2024-01-01 00:00:00.000000" }]);
    const repo = openRepo(db.path);
    expect([await append(repo, "two"), await append(repo, "three")]).toEqual([2, 3]);

    deleteFrom(db.path, 2); // a moderator, or a restore, removes the newest rows
    expect(await append(repo, "four")).toBe(4);
    expect(flaskInsert(db.path, "flask five")).toBe(5);
    deleteFrom(db.path, 4);
    expect(flaskInsert(db.path, "flask six")).toBe(6);
    deleteFrom(db.path, 6);
    await repo.close();

    const again = openRepo(db.path);
    expect(await append(again, "seven")).toBe(7);
    expect(flaskHistory(db.path, ROOM).map((r) => [r.chat_message_id, r.chat_message_content])).toEqual([
      [1, "flask 1"],
      [7, "seven"],
    ]);
  });

  it("keeps a reconnecting client's since cursor meaningful: the message after a deleted one is delivered", async () => {
    const app = await startTestApp();
    onTestFinished(app.close);
    const alice = await app.joined(ROOM, "alice");
    const seen = await alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "seen, then deleted" });
    if (!seen.ok) throw new Error(seen.error.code);
    deleteFrom(app.databasePath, seen.message.id);
    await alice.timeout(3000).emitWithAck("send_message", { room: ROOM, username: "alice", content: "new" });

    const bob = await app.joined(ROOM, "bob", { since: seen.message.id }); // bob saw the deleted one before he dropped
    expect(bob.joinResult.history.map((m) => m.content)).toEqual(["new"]);
  });
});
