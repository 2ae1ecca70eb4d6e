// `npm run migrate-db` (the built dist/tools/migrate-db.js, as a real process): an SQLite history, the Flask
// original's included, ends up in PostgreSQL with the same ids, timestamps and client ids; re-running copies
// nothing; killed half-way and run again, it completes; the app then continues the ids above the copied ones.
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { fillDatabase } from "../../bench/fill-db.js";
import { createCapturingLogger } from "../../src/log.js";
import { SqliteMessageRepository } from "../../src/storage/sqlite.js";
import { createFlaskDatabase } from "../helpers/flask-db.js";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import sharp from "sharp";
import { systemClock } from "../../src/clock.js";
import { loadConfig } from "../../src/config.js";
import { FileLibrary } from "../../src/files/library.js";
import { DiskFileStore } from "../../src/storage/disk-file-store.js";
import { hashInviteToken, newInviteToken } from "../../src/access/invite-token.js";
import { directPairKey, newPrivateAddress } from "../../src/access/policy.js";
import { nameKey } from "../../src/shared/names.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";
import { query, runTool, tempDir } from "./migrate-db-tool.js";

const ALL_PG = "SELECT id::int AS id, chat_room, sender, content, timestamp, client_id FROM chat_message ORDER BY id";
const ALL_SQLITE = "SELECT id, chat_room, sender, content, timestamp, client_id FROM chat_message ORDER BY id";
const FLASK_ALL_SQLITE = "SELECT id, chat_room, sender, content, timestamp, NULL AS client_id FROM chat_message ORDER BY id";

function sqliteRows(path: string, sql = ALL_SQLITE): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

describe("npm run migrate-db", () => {
  it("copies the Flask original's file with its ids (gaps too), timestamps and nulls; a re-run copies nothing", async () => {
    const path = join(tempDir(), "chat_history.db");
    createFlaskDatabase(path, [
      { room: "general", sender: "ana", content: "first", timestamp: "2024-03-01 10:00:00.123456" },
      { room: "general", sender: "bo", content: "gone", timestamp: "2024-03-01 10:00:01.000000" },
      { room: "général", sender: "Zoë", content: "你好 👋 <b>x</b>", timestamp: "2024-03-01 10:00:02.999999" },
      { room: "general", sender: null, content: null, timestamp: null },
      { room: "general", sender: "ana", content: "last", timestamp: "2024-03-01 10:00:04" },
    ]);
    const gap = new Database(path);
    gap.prepare("DELETE FROM chat_message WHERE id = 2").run(); // ids need not be contiguous
    gap.close();
    const url = await clusterDatabase();

    const first = runTool(["--from", path, "--to", url]);
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toMatch(/^done: 4 rows copied, 0 skipped \(already there\), in \d+\.\d s \(\d+ rows\/s\)$/m);
    expect(first.stdout()).not.toContain("cluster-test-password");
    expect(await query(url, ALL_PG)).toEqual(sqliteRows(path, FLASK_ALL_SQLITE));

    const again = runTool(["--from", path, "--to", url]);
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toMatch(/^done: 0 rows copied, 4 skipped/m);
    expect(await query(url, ALL_PG)).toEqual(sqliteRows(path, FLASK_ALL_SQLITE));

    // The app reads them back as SQLite did, and continues the ids above the copied ones.
    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    const page = await repo.page("general", { limit: 10 });
    expect(page.messages.map((m) => [m.id, m.content, m.sentAt.toISOString()])).toEqual([
      [1, "first", "2024-03-01T10:00:00.123Z"],
      [4, "", "1970-01-01T00:00:00.000Z"],
      [5, "last", "2024-03-01T10:00:04.000Z"],
    ]);
    const next = await repo.append({ room: "general", sender: "ana", content: "after the move", sentAt: new Date() });
    expect(next.message.id).toBe(6);
  });

  it("keeps this app's client ids and mentions, so a retried send after the move finds its message as it was", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });
    const sentAt = new Date("2025-01-02T03:04:05.678Z");
    const sent = await sqlite.append({ room: "r", sender: "ana", content: "before @bo", sentAt, clientId: "c-42", mentions: ["bo"] });
    expect(sent.message.mentions).toEqual(["bo"]);
    await sqlite.append({ room: "r", sender: "bo", content: "no client id", sentAt: new Date("2025-01-02T03:04:06.000Z") });
    await sqlite.close();
    const url = await clusterDatabase();

    const run = runTool(["--from", path, "--to", url]);
    expect(await run.exited).toBe(0);
    expect(await query(url, ALL_PG)).toEqual(sqliteRows(path));

    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    const retried = await repo.append({ room: "r", sender: "ana", content: "before @bo", sentAt: new Date(), clientId: "c-42" });
    expect(retried).toEqual({ message: sent.message, duplicate: true });
    expect((await repo.page("r", { limit: 10 })).messages[0]).toEqual(sent.message);
  });

  it("keeps owners, edits and tombstones (issue 12): the text of a deleted message stays erased", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });
    const at = new Date("2025-01-02T03:04:05.678Z");
    const kept = await sqlite.append({ room: "r", sender: "ana", content: "typo", sentAt: at, ownerKey: "k-ana" });
    const gone = await sqlite.append({ room: "r", sender: "bo", content: "regret", sentAt: at, ownerKey: "k-bo" });
    const edited = await sqlite.edit("r", kept.message.id, "fixed", new Date("2025-01-02T03:05:00.000Z"));
    const erased = await sqlite.erase("r", gone.message.id, new Date("2025-01-02T03:06:00.000Z"));
    await sqlite.close();
    const url = await clusterDatabase();

    const run = runTool(["--from", path, "--to", url]);
    expect(await run.exited).toBe(0);
    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    expect((await repo.page("r", { limit: 10 })).messages).toEqual([edited, erased]);
    expect(await query(url, "SELECT count(*)::int AS n FROM chat_message WHERE content = 'regret'")).toEqual([{ n: 0 }]);
  });

  it("copies replies (reply_to) and reactions in their order; a re-run copies none again (issue 22)", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });
    const at = new Date("2025-01-02T03:04:05.678Z");
    const original = (await sqlite.append({ room: "r", sender: "ana", content: "question", sentAt: at })).message;
    const reply = (await sqlite.append({ room: "r", sender: "ben", content: "answer", sentAt: at, replyTo: original.id })).message;
    const react = (emoji: string, sessionKey: string, name: string) => sqlite.react({ room: "r", id: original.id, emoji, sessionKey, name, at, on: true, maxEmoji: 20 });
    await react("🎉", "s-ben", "ben");
    await react("👍", "s-cy", "cy");
    await react("👍", "s-ana", "ana");
    await react("👍", "s-ben", "ben");
    const before = await sqlite.reactionsOf([original.id], "s-ana");
    await sqlite.close();
    const url = await clusterDatabase();

    const run = runTool(["--from", path, "--to", url]);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain("reactions: 4 copied\n");
    const again = runTool(["--from", path, "--to", url]);
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toContain("reactions: 0 copied\n");

    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    expect((await repo.find("r", reply.id))?.replyTo).toBe(original.id);
    expect(await repo.reactionsOf([original.id], "s-ana")).toEqual(before);
    expect(before.get(original.id)?.map((g) => [g.emoji, g.names])).toEqual([["🎉", ["ben"]], ["👍", ["cy", "ana", "ben"]]]);
  });

  it("copies moderators, bans and the audit; keeps a ban PostgreSQL already had; a re-run copies none again", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });
    const at = new Date("2025-01-02T03:04:05.678Z");
    const until = new Date(Date.now() + 86_400_000);
    await sqlite.append({ room: "r", sender: "ana", content: "hello", sentAt: at });
    await sqlite.setModerator("mod-session", true, at);
    await sqlite.addBan({ room: "r", nameKey: "troll", name: "Troll", sessionKey: "troll-session", until, by: "mod-session", at });
    await sqlite.addBan({ room: "r", nameKey: "spammer", name: "Spammer", sessionKey: null, until, by: "mod-session", at });
    await sqlite.audit({ at, moderator: "mod-session", action: "ban", room: "r", target: "troll", messageId: null, detail: "1 day" });
    await sqlite.audit({ at, moderator: "mod-session", action: "delete", room: "r", target: "ana", messageId: 1, detail: null });
    await sqlite.close();
    const url = await clusterDatabase();
    // A node ran on PostgreSQL before the copy and banned someone: that ban holds id 1, which the copy also has.
    const early = await openPostgresRepo(url);
    await early.addBan({ room: "other", nameKey: "early", name: "early", sessionKey: null, until, by: "pg-mod", at });
    await early.close();

    const run = runTool(["--from", path, "--to", url]);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain("moderation: 1 moderators, 2 bans, 2 audit entries copied\n");
    const again = runTool(["--from", path, "--to", url]);
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toContain("moderation: 0 moderators, 0 bans, 0 audit entries copied\n");

    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    expect(await repo.isModerator("mod-session")).toBe(true);
    expect((await repo.activeBan("r", "troll", null, new Date()))?.sessionKey).toBe("troll-session");
    expect((await repo.activeBan("r", "nobody", "troll-session", new Date()))?.nameKey).toBe("troll");
    expect((await repo.activeBans("r", new Date(), 10)).map((b) => b.name).sort()).toEqual(["Spammer", "Troll"]);
    expect(await repo.activeBan("r", "spammer", null, new Date())).not.toBeNull();
    expect(await repo.activeBan("other", "early", null, new Date())).not.toBeNull(); // not overwritten
    expect((await repo.auditLog(10)).map((e) => [e.action, e.target, e.messageId])).toEqual([
      ["delete", "ana", 1],
      ["ban", "troll", null],
    ]);
    // The next ban a node writes gets a free id.
    await repo.addBan({ room: "r", nameKey: "later", name: "later", sessionKey: null, until, by: "pg-mod", at });
    expect(await query(url, "SELECT count(DISTINCT id)::int AS ids, count(*)::int AS n FROM room_ban")).toEqual([{ ids: 4, n: 4 }]);
  });

  it("copies the bans of a file from before room_ban.name (never opened by this version): listed by their key", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });
    const at = new Date("2025-01-02T03:04:05.678Z");
    await sqlite.append({ room: "r", sender: "ana", content: "hello", sentAt: at });
    await sqlite.addBan({ room: "r", nameKey: "troll", name: "Troll", sessionKey: null, until: new Date(Date.now() + 86_400_000), by: "mod", at });
    await sqlite.close();
    const old = new Database(path);
    old.exec("ALTER TABLE room_ban DROP COLUMN name"); // as version 18 left it
    old.close();
    const url = await clusterDatabase();

    const run = runTool(["--from", path, "--to", url]);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain("moderation: 0 moderators, 1 bans, 0 audit entries copied\n");
    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    expect((await repo.activeBans("r", new Date(), 10)).map((b) => b.name)).toEqual(["troll"]);
  });

  it("treats a ban as the same row whatever its name: a re-run fills a name PostgreSQL lacks and never copies a ban twice", async () => {
    const dir = tempDir();
    const path = join(dir, "chat.db");
    const oldPath = join(dir, "old.db");
    const sqlite = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });
    const at = new Date("2025-01-02T03:04:05.678Z");
    const until = new Date(Date.now() + 86_400_000);
    await sqlite.append({ room: "r", sender: "ana", content: "hello", sentAt: at });
    for (const name of ["Troll", "Spammer"]) {
      await sqlite.addBan({ room: "r", nameKey: nameKey(name), name, sessionKey: null, until, by: "mod", at });
      await sqlite.audit({ at, moderator: "mod", action: "ban", room: "r", target: name, messageId: null, detail: null });
    }
    await sqlite.close();
    // The file as version 18 left it (bans without their name), kept aside as an old copy.
    const file = new Database(path);
    file.exec("ALTER TABLE room_ban DROP COLUMN name");
    file.pragma("user_version = 18");
    file.close();
    copyFileSync(path, oldPath);
    const url = await clusterDatabase();
    const bans = async (): Promise<unknown[]> => query(url, "SELECT room, name_key, name FROM room_ban ORDER BY name");

    // 1. The old file copied: PostgreSQL has the bans without their name.
    const first = runTool(["--from", oldPath, "--to", url]);
    expect(await first.exited).toBe(0);
    expect(first.stdout()).toContain("moderation: 0 moderators, 2 bans, 2 audit entries copied\n");
    // 2. The file upgraded by this version (migration 19 names its bans from the audit), copied again: the names fill in.
    await new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() }).close();
    const upgraded = runTool(["--from", path, "--to", url]);
    expect(await upgraded.exited).toBe(0);
    expect(upgraded.stdout()).toContain("moderation: 0 moderators, 0 bans, 0 audit entries copied\n");
    const named = [
      { room: "r", name_key: nameKey("Spammer"), name: "Spammer" },
      { room: "r", name_key: nameKey("Troll"), name: "Troll" },
    ];
    expect(await bans()).toEqual(named);
    // 3. The old file copied once more into a database whose bans have their name: nothing copied, no name lost.
    const old = runTool(["--from", oldPath, "--to", url]);
    expect(await old.exited).toBe(0);
    expect(old.stdout()).toContain("moderation: 0 moderators, 0 bans, 0 audit entries copied\n");
    expect(await bans()).toEqual(named);
  });

  it("copies private rooms, their members and invite links (issue 17): the same admissions, the same working links, once", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });
    const at = new Date("2025-01-02T03:04:05.678Z");
    const room = newPrivateAddress();
    await sqlite.access.createRoom({ room, title: "Team", kind: "private", creatorKey: "k-ana", membersCanInvite: true, originRoom: null, pairKey: null, createdAt: at }, [{ sessionKey: "k-ana", name: null }]);
    await sqlite.access.admit(room, { sessionKey: "k-bo", name: "Bo" }, at);
    const direct = await sqlite.access.openDirectRoom(
      { room: newPrivateAddress(), title: "Ana, Bo", kind: "direct", creatorKey: null, membersCanInvite: false, originRoom: "lobby", pairKey: directPairKey("k-ana", "k-bo"), createdAt: at },
      [
        { sessionKey: "k-ana", name: "Ana" },
        { sessionKey: "k-bo", name: "Bo" },
      ],
    );
    const said = await sqlite.append({ room: direct.room, sender: "Ana", content: "psst", sentAt: at });
    await sqlite.access.closeDirect(direct.room, "k-bo");
    const token = newInviteToken();
    const link = await sqlite.access.createInvite({ room, tokenHash: hashInviteToken(token), createdBy: "k-ana", createdByName: "Ana", createdAt: at, expiresAt: new Date(Date.now() + 86_400_000), maxUses: 3 });
    const revoked = await sqlite.access.createInvite({ room, tokenHash: hashInviteToken(newInviteToken()), createdBy: "k-ana", createdByName: "Ana", createdAt: at, expiresAt: new Date(Date.now() + 86_400_000), maxUses: null });
    await sqlite.access.revokeInvite(room, revoked.id, at);
    await sqlite.access.admit(room, { sessionKey: "k-dee", name: "Dee" }, at);
    await sqlite.access.expelMember(room, "k-dee", at); // kicked: the links made before stay closed to Dee
    await sqlite.close();
    const url = await clusterDatabase();

    const run = runTool(["--from", path, "--to", url]);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain("private rooms: 2 rooms, 4 members, 2 invite links copied\n");
    const again = runTool(["--from", path, "--to", url]);
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toContain("private rooms: 0 rooms, 0 members, 0 invite links copied\n");

    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    expect(await repo.access.roomAccess(room, "k-bo")).toMatchObject({ record: { title: "Team", kind: "private", creatorKey: "k-ana", membersCanInvite: true }, member: { name: "Bo" } });
    expect(await repo.access.roomAccess(room, "k-eve")).toMatchObject({ member: null });
    expect((await repo.access.roomsOf("k-bo")).find((r) => r.record.room === direct.room)).toMatchObject({ member: { closedUpto: said.message.id }, newestId: said.message.id, peerName: "Ana" });
    // The pair keeps its one conversation.
    const reopened = await repo.access.openDirectRoom(
      { room: newPrivateAddress(), title: "x", kind: "direct", creatorKey: null, membersCanInvite: false, originRoom: "lobby", pairKey: directPairKey("k-bo", "k-ana"), createdAt: at },
      [
        { sessionKey: "k-bo", name: "Bo" },
        { sessionKey: "k-ana", name: "Ana" },
      ],
    );
    expect(reopened.room).toBe(direct.room);
    // The link still works on PostgreSQL (its hash travelled), the revoked one stays revoked.
    expect(await repo.access.inviteByHash(hashInviteToken(token))).toMatchObject({ invite: { id: link.id, maxUses: 3, uses: 0 }, title: "Team" });
    expect(await repo.access.redeemInvite(hashInviteToken(token), { sessionKey: "k-cy", name: "Cy" }, new Date())).toMatchObject({ outcome: "admitted" });
    expect(await repo.access.redeemInvite(hashInviteToken(token), { sessionKey: "k-dee", name: "Dee" }, new Date())).toEqual({ outcome: "revoked" });
    expect((await repo.access.invites(room)).map((i) => i.id)).toEqual([link.id]);
    expect(await query(url, `SELECT count(*)::int AS n FROM room_invite WHERE token_hash = '${hashInviteToken(token)}'`)).toEqual([{ n: 1 }]);
  });

  it("copies files (issue 18): the records, the message's count, and the bytes from the folder into PostgreSQL, once", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });
    const config = loadConfig({ DATABASE_PATH: path });
    const disk = new DiskFileStore(config.files.path);
    const library = new FileLibrary({ settings: config.files, records: sqlite.files, store: disk, log: createCapturingLogger(), clock: systemClock });
    const bytes = await sharp({ create: { width: 30, height: 20, channels: 3, background: "#123" } }).png().toBuffer();
    const spool = join(disk.spoolDir(), "one");
    writeFileSync(spool, bytes);
    const stored = await library.add({ path: spool, size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex"), head: bytes.subarray(0, 4100) }, "pic.png", "k-ana");
    if ("code" in stored) throw new Error(stored.message);
    const message = await sqlite.append({ room: "r", sender: "ana", content: "a picture", sentAt: new Date(), ownerKey: "k-ana", attachments: [stored.id] });
    await sqlite.close();
    const url = await clusterDatabase();

    const run = runTool(["--from", path, "--to", url]);
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toContain("files: 1 files, 3 stored contents copied\n");
    const again = runTool(["--from", path, "--to", url]);
    expect(await again.exited).toBe(0);
    expect(again.stdout()).toContain("files: 0 files, 0 stored contents copied\n");

    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    const [copied] = (await repo.page("r", { limit: 5 })).messages;
    expect(copied?.attachments).toEqual(message.message.attachments);
    const pgFiles = repo.fileStore(tempDir());
    const chunks: Buffer[] = [];
    for await (const c of await pgFiles.read(stored.sha256)) chunks.push(c as Buffer);
    expect((await sharp(Buffer.concat(chunks)).metadata()).width).toBe(30);
  });

  it("completes when run again after being killed half-way, copying only what was missing", async () => {
    const path = join(tempDir(), "big.db");
    fillDatabase(path, [
      { room: "big", messages: 15_000 },
      { room: "small", messages: 5_000 },
    ]);
    const url = await clusterDatabase();

    const killed = runTool(["--from", path, "--to", url, "--batch", "100"]);
    await killed.waitForLine(/^progress: .*\(1\d%\)/m);
    killed.kill();
    expect(await killed.exited).toBe(null); // SIGKILL, no clean exit
    const [{ n: partial }] = (await query<{ n: number }>(url, "SELECT COUNT(*)::int AS n FROM chat_message")) as [{ n: number }];
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(20_000);

    const resumed = runTool(["--from", path, "--to", url, "--batch", "100"]);
    expect(await resumed.exited).toBe(0);
    expect(resumed.stdout()).toContain(`done: ${20_000 - partial} rows copied, ${partial} skipped`);
    expect(resumed.stdout()).toMatch(/^progress: 20000\/20000 rows \(100%\)/m); // plain lines when not on a terminal
    expect(await query(url, ALL_PG)).toEqual(sqliteRows(path, FLASK_ALL_SQLITE));
    const [{ next }] = (await query<{ next: number }>(url, "SELECT nextval(pg_get_serial_sequence('chat_message', 'id'))::int AS next")) as [{ next: number }];
    expect(next).toBe(20_001);
  });

  it("refuses, with one line and exit 1, to skip over a different message under the same id", async () => {
    const path = join(tempDir(), "chat_history.db");
    createFlaskDatabase(path, [{ room: "general", sender: "ana", content: "from sqlite", timestamp: "2024-03-01 10:00:00.000000" }]);
    const url = await clusterDatabase();
    const repo = await openPostgresRepo(url);
    await repo.append({ room: "general", sender: "bo", content: "already in postgres", sentAt: new Date() });
    await repo.close();

    const run = runTool(["--from", path, "--to", url]);
    expect(await run.exited).toBe(1);
    expect(run.stderr()).toMatch(
      /^migrate-db: PostgreSQL already holds a different message with id 1 \(room "general", sender "bo", sent "[^"]+"; the file's: room "general", sender "ana", sent "2024-03-01 10:00:00\.000000"\): .* Nothing was copied\. [^\n]*\n$/,
    );
  });

  it.each([
    [["--to", "postgres://u:p@127.0.0.1:1/db"], "migrate-db: --from and --to are both required\n"],
    [["--from", "/nonexistent/chat.db", "--to", "postgres://u:p@127.0.0.1:1/db"], "migrate-db: cannot open /nonexistent/chat.db: "],
    [["--from", "x.db", "--to", "mysql://db"], "migrate-db: --to must be a PostgreSQL URL such as postgres://user:password@host:5432/database\n"],
  ])("with %j: exits 1 with a clear line", async (args, line) => {
    const run = runTool(args);
    expect(await run.exited).toBe(1);
    expect(run.stderr().startsWith(line)).toBe(true);
  });
});
