// `npm run migrate-db` run again after copied messages changed (docs/migrating.md, "Running it again"): nodes ran on
// PostgreSQL after the first copy, or the Flask app or the port in SQLite mode kept running. The same message edited,
// deleted or reacted to since is settled by the rule (a deletion is final on either side, otherwise the later edit
// wins), never a clash; a different message under the same id still stops the copy before it writes anything.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../../src/log.js";
import type { NewMessage } from "../../src/storage/repository.js";
import { SqliteMessageRepository } from "../../src/storage/sqlite.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";
import { query, runTool, tempDir } from "./migrate-db-tool.js";

const T0 = new Date("2025-01-02T03:04:05.678Z");
const later = (minutes: number): Date => new Date(T0.getTime() + minutes * 60_000);
const openSqlite = (path: string): SqliteMessageRepository => new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });
const aMessage = (content: string, overrides: Partial<NewMessage> = {}): NewMessage => ({ room: "r", sender: "ana", content, sentAt: T0, ownerKey: "k-ana", ...overrides });

/** A new upload of Ana's in the file (its record only: the bytes are not needed to copy or remove the record). */
async function anUpload(repo: SqliteMessageRepository): Promise<string> {
  const id = randomUUID();
  await repo.files.addUpload({ id, sessionKey: "k-ana", name: `${id.slice(0, 4)}.pdf`, type: "application/pdf", size: 10, sha256: "ab".repeat(32), createdAt: T0 });
  return id;
}

async function migrate(path: string, url: string): Promise<string> {
  const run = runTool(["--from", path, "--to", url]);
  expect(await run.exited, run.stderr()).toBe(0);
  return run.stdout();
}

const changesLine = (deletions: number, edits: number, kept: number): string =>
  `changes: ${deletions} deletions and ${edits} edits carried over, ${kept} rows changed in PostgreSQL since the last copy left as they are\n`;

/** Everything a re-run could change about the messages in PostgreSQL. */
async function postgresState(url: string): Promise<unknown[]> {
  return [
    await query(url, "SELECT id::int AS id, chat_room, sender, content, timestamp, edited_at, deleted_at, mentions, files FROM chat_message ORDER BY id"),
    await query(url, "SELECT id, message_id::int AS message_id, room FROM chat_file ORDER BY id"),
    await query(url, "SELECT message_id::int AS message_id, emoji, session_key FROM message_reaction ORDER BY seq"),
  ];
}

const filesOf = (url: string, id: number): Promise<unknown[]> => query(url, `SELECT id FROM chat_file WHERE message_id = ${id} ORDER BY position`);
const reactionsOn = (url: string, id: number): Promise<unknown[]> => query(url, `SELECT emoji, session_key FROM message_reaction WHERE message_id = ${id}`);

describe("npm run migrate-db, run again after copied messages changed", () => {
  it("keeps an edit made on PostgreSQL since the first copy, and exits 0", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    const sent = (await sqlite.append(aMessage("typo"))).message;
    await sqlite.close();
    const url = await clusterDatabase();
    await migrate(path, url);

    const node = await openPostgresRepo(url);
    onTestFinished(() => node.close());
    const edited = await node.edit("r", sent.id, "fixed @bo", later(1), ["bo"]);

    const out = await migrate(path, url);
    expect(out).toContain("done: 0 rows copied, 1 skipped");
    expect(out).toContain(changesLine(0, 0, 1));
    expect(await node.find("r", sent.id)).toEqual(edited);
  });

  it("keeps a deletion made on PostgreSQL since the first copy: the text, reactions and files do not come back from the file", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    const sent = (await sqlite.append(aMessage("regret", { attachments: [await anUpload(sqlite)] }))).message;
    await sqlite.react({ room: "r", id: sent.id, emoji: "👍", sessionKey: "k-bo", name: "bo", at: T0, on: true, maxEmoji: 20 });
    await sqlite.close();
    const url = await clusterDatabase();
    expect(await migrate(path, url)).toContain("files: 1 files, 0 stored contents copied\n");

    const node = await openPostgresRepo(url);
    onTestFinished(() => node.close());
    const erased = await node.erase("r", sent.id, later(1));

    const out = await migrate(path, url);
    expect(out).toContain(changesLine(0, 0, 1));
    expect(out).toContain("reactions: 0 copied\n");
    expect(out).toContain("files: 0 files, 0 stored contents copied\n");
    expect(await node.find("r", sent.id)).toEqual({ ...erased, reactionsRemoved: undefined });
    expect(await query(url, "SELECT count(*)::int AS n FROM chat_message WHERE content = 'regret'")).toEqual([{ n: 0 }]);
    expect(await reactionsOn(url, sent.id)).toEqual([]);
    expect(await filesOf(url, sent.id)).toEqual([]);
  });

  it("carries over a deletion made in SQLite after the first copy, with the message's reactions and files", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    const gone = (await sqlite.append(aMessage("regret @bo", { mentions: ["bo"], attachments: [await anUpload(sqlite)] }))).message;
    const kept = (await sqlite.append(aMessage("stays", { attachments: [await anUpload(sqlite)] }))).message;
    for (const id of [gone.id, kept.id]) await sqlite.react({ room: "r", id, emoji: "👍", sessionKey: "k-bo", name: "bo", at: T0, on: true, maxEmoji: 20 });
    await sqlite.close();
    const url = await clusterDatabase();
    await migrate(path, url);

    const again = openSqlite(path);
    const erased = await again.erase("r", gone.id, later(1));
    await again.close();

    const out = await migrate(path, url);
    expect(out).toContain(changesLine(1, 0, 0));
    const node = await openPostgresRepo(url);
    onTestFinished(() => node.close());
    expect(await node.find("r", gone.id)).toEqual({ ...erased, reactionsRemoved: undefined });
    expect(await query(url, `SELECT content, mentions, files FROM chat_message WHERE id = ${gone.id}`)).toEqual([{ content: "", mentions: null, files: null }]);
    expect(await reactionsOn(url, gone.id)).toEqual([]);
    expect(await filesOf(url, gone.id)).toEqual([]);
    // The other message keeps its reaction and file.
    expect(await reactionsOn(url, kept.id)).toEqual([{ emoji: "👍", session_key: "k-bo" }]);
    expect(await filesOf(url, kept.id)).toEqual([{ id: kept.attachments?.[0]?.id }]);
  });

  it("carries over an edit made in SQLite after the first copy: the text, mentions, edit time and the files the edit kept", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    const [first, second] = [await anUpload(sqlite), await anUpload(sqlite)];
    const sent = (await sqlite.append(aMessage("typo", { attachments: [first, second] }))).message;
    await sqlite.close();
    const url = await clusterDatabase();
    await migrate(path, url);

    const again = openSqlite(path);
    const edited = await again.edit("r", sent.id, "fixed @cy", later(1), ["cy"], [second]);
    await again.close();
    expect(edited?.attachments?.map((a) => a.id)).toEqual([second]);

    const out = await migrate(path, url);
    expect(out).toContain(changesLine(0, 1, 0));
    expect(out).toContain("files: 0 files");
    const node = await openPostgresRepo(url);
    onTestFinished(() => node.close());
    expect(await node.find("r", sent.id)).toEqual(edited);
    expect(await filesOf(url, sent.id)).toEqual([{ id: second }]);
  });

  it("settles messages changed on both sides: the later edit wins either way, and a deletion beats any edit", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    const ids: number[] = [];
    for (const content of ["a", "b", "c", "d"]) ids.push((await sqlite.append(aMessage(content))).message.id);
    const [sqliteLater, postgresLater, deletedOnPostgres, deletedInSqlite] = ids as [number, number, number, number];
    await sqlite.close();
    const url = await clusterDatabase();
    await migrate(path, url);

    const again = openSqlite(path);
    const sqliteEdit = await again.edit("r", sqliteLater, "sqlite's, later", later(2));
    await again.edit("r", postgresLater, "sqlite's, earlier", later(1));
    await again.edit("r", deletedOnPostgres, "sqlite's edit after postgres's delete", later(2));
    const sqliteDeletion = await again.erase("r", deletedInSqlite, later(1));
    await again.close();
    const node = await openPostgresRepo(url);
    onTestFinished(() => node.close());
    await node.edit("r", sqliteLater, "postgres's, earlier", later(1));
    const postgresEdit = await node.edit("r", postgresLater, "postgres's, later", later(2));
    const postgresDeletion = await node.erase("r", deletedOnPostgres, later(1));
    await node.edit("r", deletedInSqlite, "postgres's edit after sqlite's delete", later(2));

    const out = await migrate(path, url);
    expect(out).toContain(changesLine(1, 1, 2));
    expect((await node.page("r", { limit: 10 })).messages).toEqual([sqliteEdit, postgresEdit, postgresDeletion, sqliteDeletion]);
  });

  it("changes nothing when run a third time, and says so", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    const ids: number[] = [];
    for (const content of ["a", "b", "c", "d"]) ids.push((await sqlite.append(aMessage(content, { attachments: [await anUpload(sqlite)] }))).message.id);
    for (const id of ids) await sqlite.react({ room: "r", id, emoji: "👍", sessionKey: "k-bo", name: "bo", at: T0, on: true, maxEmoji: 20 });
    await sqlite.close();
    const url = await clusterDatabase();
    await migrate(path, url);

    const again = openSqlite(path);
    await again.edit("r", ids[0] as number, "edited in sqlite", later(1), [], []);
    await again.erase("r", ids[1] as number, later(1));
    await again.append(aMessage("new in sqlite"));
    await again.close();
    const node = await openPostgresRepo(url);
    await node.edit("r", ids[2] as number, "edited on postgres", later(1), [], []);
    await node.erase("r", ids[3] as number, later(1));
    await node.close();

    const second = await migrate(path, url);
    expect(second).toContain("done: 1 rows copied, 4 skipped");
    expect(second).toContain(changesLine(1, 1, 2));
    const settled = await postgresState(url);

    const third = await migrate(path, url);
    expect(third).toContain("done: 0 rows copied, 5 skipped");
    expect(third).toContain(changesLine(0, 0, 2));
    expect(third).toContain("files: 0 files, 0 stored contents copied");
    expect(third).toContain("reactions: 0 copied\n");
    expect(await postgresState(url)).toEqual(settled);
  });

  it("still stops, with exit 1 and one clear line, at a different message under the same id, before writing anything", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    for (const content of ["one", "two", "three"]) await sqlite.append(aMessage(content));
    await sqlite.close();
    const url = await clusterDatabase();
    await (await openPostgresRepo(url)).close(); // the schema, as a node leaves it
    await query(url, "INSERT INTO chat_message (id, chat_room, sender, content, timestamp) VALUES (3, 'r', 'bo', 'already in postgres', '2026-01-01T00:00:00.000Z')");

    const run = runTool(["--from", path, "--to", url, "--batch", "1"]); // ids 1 and 2 come in batches before the clash
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toBe(
      'migrate-db: PostgreSQL already holds a different message with id 3 (room "r", sender "bo", sent "2026-01-01T00:00:00.000Z"; the file\'s: room "r", sender "ana", sent "2025-01-02 03:04:05.678000"): ' +
        "the database holds a history of its own, which this copy would mix with the file's. Nothing was copied. Check that --from and --to name the file and the database you mean; " +
        "to keep both histories, copy the file into a new, empty database instead\n",
    );
    expect(await query(url, "SELECT id::int AS id, content FROM chat_message ORDER BY id")).toEqual([{ id: 3, content: "already in postgres" }]);
  });

  it("still stops before writing anything at a different message holding a room's client id the file uses", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    await sqlite.append(aMessage("one"));
    await sqlite.append(aMessage("two", { clientId: "c-7" }));
    await sqlite.close();
    const url = await clusterDatabase();
    await (await openPostgresRepo(url)).close();
    await query(url, "INSERT INTO chat_message (id, chat_room, sender, content, timestamp, client_id) VALUES (50, 'r', 'bo', 'already in postgres', '2026-01-01T00:00:00.000Z', 'c-7')");

    const run = runTool(["--from", path, "--to", url, "--batch", "1"]);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(/^migrate-db: PostgreSQL already holds message 50 with the client id of the file's message 2 in room "r": .* Nothing was copied\. /);
    expect(await query(url, "SELECT id::int AS id FROM chat_message ORDER BY id")).toEqual([{ id: 50 }]);
  });
});
