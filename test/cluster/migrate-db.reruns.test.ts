// `npm run migrate-db` run again after either side changed a row it had copied (an operator copies, keeps the single
// node running a little, then copies again; or a node on PostgreSQL already acted): a row is known by what never
// changes, so it is never copied a second time, and what changed is reconciled, never undone.
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { hashInviteToken, newInviteToken } from "../../src/access/invite-token.js";
import { newPrivateAddress } from "../../src/access/policy.js";
import { createCapturingLogger } from "../../src/log.js";
import { SqliteMessageRepository } from "../../src/storage/sqlite.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";
import { query, runTool, tempDir } from "./migrate-db-tool.js";

const openSqlite = (path: string): SqliteMessageRepository => new SqliteMessageRepository(path, { busyTimeoutMs: 250, log: createCapturingLogger() });

async function migrate(path: string, url: string): Promise<string> {
  const run = runTool(["--from", path, "--to", url]);
  expect(await run.exited, run.stderr()).toBe(0);
  return run.stdout();
}

describe("npm run migrate-db, run again after a copied row changed", () => {
  it("keeps one row per ban: an unban on PostgreSQL stays, an unban in SQLite since the first copy reaches PostgreSQL", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    const at = new Date("2025-01-02T03:04:05.678Z");
    const until = new Date(Date.now() + 86_400_000);
    await sqlite.append({ room: "r", sender: "ana", content: "hello", sentAt: at });
    for (const name of ["troll", "spammer", "flooder"]) await sqlite.addBan({ room: "r", nameKey: name, name, sessionKey: `${name}-session`, until, by: "mod", at });
    await sqlite.close();
    const url = await clusterDatabase();
    expect(await migrate(path, url)).toContain("moderation: 0 moderators, 3 bans, 0 audit entries copied\n");

    // After the copy: troll is unbanned on PostgreSQL, spammer in the still-running SQLite node.
    const unbannedAt = new Date();
    const early = await openPostgresRepo(url);
    expect(await early.endBans("r", "troll", unbannedAt)).toBe(1);
    await early.close();
    const again = openSqlite(path);
    expect(await again.endBans("r", "spammer", unbannedAt)).toBe(1);
    await again.close();

    expect(await migrate(path, url)).toContain("moderation: 0 moderators, 0 bans, 0 audit entries copied\n");
    expect(await query(url, "SELECT name_key, until FROM room_ban ORDER BY name_key")).toEqual([
      { name_key: "flooder", until: until.toISOString() },
      { name_key: "spammer", until: unbannedAt.toISOString() },
      { name_key: "troll", until: unbannedAt.toISOString() },
    ]);
    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    const now = new Date();
    expect(await repo.activeBan("r", "troll", "troll-session", now)).toBeNull();
    expect(await repo.activeBan("r", "spammer", "spammer-session", now)).toBeNull();
    expect((await repo.activeBans("r", now, 10)).map((b) => b.nameKey)).toEqual(["flooder"]);
  });

  it("keeps one row per invite link: uses counted on PostgreSQL stay, a revoke in SQLite since the first copy reaches PostgreSQL", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    const at = new Date("2025-01-02T03:04:05.678Z");
    const room = newPrivateAddress();
    await sqlite.access.createRoom({ room, title: "Team", kind: "private", creatorKey: "k-ana", membersCanInvite: true, originRoom: null, pairKey: null, createdAt: at }, [{ sessionKey: "k-ana", name: "Ana" }]);
    const invite = (token: string) =>
      sqlite.access.createInvite({ room, tokenHash: hashInviteToken(token), createdBy: "k-ana", createdByName: "Ana", createdAt: at, expiresAt: new Date(Date.now() + 86_400_000), maxUses: 2 });
    const [used, revoked] = [newInviteToken(), newInviteToken()];
    const toUse = await invite(used);
    const toRevoke = await invite(revoked);
    await sqlite.close();
    const url = await clusterDatabase();
    expect(await migrate(path, url)).toContain("private rooms: 1 rooms, 1 members, 2 invite links copied\n");

    // After the copy: one link is used on PostgreSQL, the other revoked in the still-running SQLite node.
    const early = await openPostgresRepo(url);
    expect(await early.access.redeemInvite(hashInviteToken(used), { sessionKey: "k-bo", name: "Bo" }, new Date())).toMatchObject({ outcome: "admitted" });
    await early.close();
    const again = openSqlite(path);
    expect(await again.access.revokeInvite(room, toRevoke.id, new Date())).toBe(true);
    await again.close();

    expect(await migrate(path, url)).toContain("private rooms: 0 rooms, 0 members, 0 invite links copied\n");
    expect(await query(url, "SELECT token_hash, uses, revoked_at IS NOT NULL AS revoked FROM room_invite ORDER BY id")).toEqual([
      { token_hash: hashInviteToken(used), uses: 1, revoked: false },
      { token_hash: hashInviteToken(revoked), uses: 0, revoked: true },
    ]);
    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    expect((await repo.access.invites(room)).map((i) => [i.id, i.uses])).toEqual([[toUse.id, 1]]);
  });

  it("copies where rooms moved (a room made private) once: on PostgreSQL a page that joined before the move is sent after the room", async () => {
    const path = join(tempDir(), "chat.db");
    const sqlite = openSqlite(path);
    const joinedAt = new Date("2025-01-02T03:04:05.678Z");
    const movedAt = new Date("2025-01-02T04:00:00.000Z");
    await sqlite.append({ room: "r", sender: "ana", content: "hello", sentAt: joinedAt });
    const room = newPrivateAddress();
    await sqlite.access.makePrivate("r", { room, title: "Team", kind: "private", creatorKey: "k-ana", membersCanInvite: false, originRoom: null, pairKey: null, createdAt: movedAt }, [
      { sessionKey: "k-ana", name: "Ana" },
    ]);
    await sqlite.close();
    const url = await clusterDatabase();

    expect(await migrate(path, url)).toContain("room moves: 1 copied\n");
    expect(await migrate(path, url)).toContain("room moves: 0 copied\n");
    expect(await query(url, "SELECT from_room, to_room, moved_at FROM room_move")).toEqual([{ from_room: "r", to_room: room, moved_at: movedAt.toISOString() }]);
    const repo = await openPostgresRepo(url);
    onTestFinished(() => repo.close());
    expect(await repo.access.movedAfter("r", joinedAt)).toEqual({ to: room, movedAt });
  });
});
