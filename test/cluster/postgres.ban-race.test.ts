// A send racing a ban or a kick, on two nodes of one PostgreSQL (postgres-sender-checks.ts): in a room, the batch and
// the ban or kick meet at the room's insert lock; in a direct conversation, at the lock of the room it was opened in.
// Each side is held at that lock by a transaction of this test, so the race is driven, not hoped for: the ban's row is
// written but not committed while the send arrives, or the send's lock is held while the ban arrives.
import pg from "pg";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { directPairKey, newPrivateAddress } from "../../src/access/policy.js";
import { nameKey } from "../../src/shared/names.js";
import { roomBanLockKey, roomLockKey } from "../../src/storage/postgres-pool.js";
import { RoomClosedError, type ChatStore } from "../../src/storage/repository.js";
import { until } from "../helpers/push.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

const T0 = new Date("2026-12-07T10:00:00.000Z");
const later = (ms: number): Date => new Date(T0.getTime() + ms);

let url = "";
beforeAll(async () => {
  url = await clusterDatabase();
});

async function node(): Promise<ChatStore> {
  const store = await openPostgresRepo(url);
  onTestFinished(() => store.close());
  return store;
}

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  onTestFinished(() => client.end());
  return client;
}

/** Ana and Bob's conversation opened from `lobby`. */
async function conversation(store: ChatStore, lobby: string): Promise<string> {
  const room = newPrivateAddress();
  await store.access.openDirectRoom({ room, title: "", kind: "direct", creatorKey: null, membersCanInvite: false, originRoom: lobby, pairKey: directPairKey(`ana-${lobby}`, `bob-${lobby}`), createdAt: T0 }, [
    { sessionKey: `ana-${lobby}`, name: "Ana" },
    { sessionKey: `bob-${lobby}`, name: "Bob" },
  ]);
  return room;
}

/** Resolves once some session waits for an advisory lock (pg_locks shows it not granted). */
async function someoneWaitsForALock(watcher: pg.Client): Promise<"waiting"> {
  await until(async () => (await watcher.query("SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).rowCount !== 0);
  return "waiting";
}

const settledOf = (p: Promise<unknown>): Promise<"settled"> => p.then(
  () => "settled" as const,
  () => "settled" as const,
);

describe("postgres: a send into a direct conversation racing a ban from its origin room, two nodes", () => {
  it("a send reaching the store while the ban's row is written but not committed waits for it, then is refused and stored nowhere", async () => {
    const [sender, watcher, banner] = [await node(), await connect(), await connect()];
    const lobby = `lobby-${Date.now()}`;
    const room = await conversation(sender, lobby);
    // The ban as addBan writes it, held before its COMMIT.
    await banner.query("BEGIN");
    await banner.query("SELECT pg_advisory_xact_lock($1::bigint)", [String(roomBanLockKey(lobby))]);
    await banner.query("INSERT INTO room_ban (room, name_key, session_key, until, moderator, created_at) VALUES ($1, $2, NULL, $3, 'mod', $4)", [lobby, nameKey("Bob"), later(60_000).toISOString(), later(1000).toISOString()]);
    const send = sender.append({ room, sender: "Bob", content: "racing", sentAt: later(1000), ownerKey: `bob-${lobby}`, memberSince: T0, clientId: "racing" });
    // Without the lock the send would not wait: it would be stored before the ban commits.
    expect(await Promise.race([settledOf(send), someoneWaitsForALock(watcher)])).toBe("waiting");
    await banner.query("COMMIT");
    await expect(send).rejects.toBeInstanceOf(RoomClosedError);
    expect(await sender.findByClientId(room, "racing")).toBeNull();
    expect((await sender.page(room, { limit: 5 })).messages).toEqual([]);
  });

  it("a ban arriving while a batch holds the room's ban lock waits for that batch's COMMIT; the next send sees the ban", async () => {
    const [sender, moderator, watcher, batch] = [await node(), await node(), await connect(), await connect()];
    const lobby = `lobby-${Date.now()}`;
    const room = await conversation(sender, lobby);
    // A batch on another node, past its read of the bans, holds the lock shared until its COMMIT.
    await batch.query("BEGIN");
    await batch.query("SELECT pg_advisory_xact_lock_shared($1::bigint)", [String(roomBanLockKey(lobby))]);
    const ban = moderator.addBan({ room: lobby, nameKey: nameKey("Bob"), name: "Bob", sessionKey: null, until: later(60_000), by: "mod", at: later(1000) });
    expect(await Promise.race([settledOf(ban), someoneWaitsForALock(watcher)])).toBe("waiting");
    expect(await moderator.activeBan(lobby, nameKey("Bob"), null, later(1000))).toBeNull();
    await batch.query("COMMIT");
    await ban;
    await expect(sender.append({ room, sender: "Bob", content: "after", sentAt: later(2000), ownerKey: `bob-${lobby}`, memberSince: T0 })).rejects.toBeInstanceOf(RoomClosedError);
    // Sends into the room itself never wait for its ban lock.
    expect((await sender.append({ room: lobby, sender: "Ana", content: "in the room", sentAt: later(2000), memberSince: T0 })).duplicate).toBe(false);
  });
});

describe("postgres: a send into a public or private room racing a ban or a kick there, two nodes", () => {
  /** A test transaction holding `room`'s insert lock, as a batch writing into it (or a ban, or a kick) does. */
  async function holdInsertLock(client: pg.Client, room: string): Promise<void> {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1::bigint)", [String(roomLockKey(room))]);
  }

  it("a send reaching the store while a ban of its name is written but not committed waits for it, then is refused and stored nowhere", async () => {
    const [sender, watcher, banner] = [await node(), await connect(), await connect()];
    const plaza = `plaza-${Date.now()}`;
    // The ban as addBan writes it (its room's insert lock, then its ban lock), held before its COMMIT.
    await holdInsertLock(banner, plaza);
    await banner.query("SELECT pg_advisory_xact_lock($1::bigint)", [String(roomBanLockKey(plaza))]);
    await banner.query("INSERT INTO room_ban (room, name_key, session_key, until, moderator, created_at) VALUES ($1, $2, NULL, $3, 'mod', $4)", [plaza, nameKey("Bob"), later(60_000).toISOString(), later(1000).toISOString()]);
    const send = sender.append({ room: plaza, sender: "Bob", content: "racing", sentAt: later(1000), ownerKey: "bob", memberSince: T0, clientId: "racing" });
    expect(await Promise.race([settledOf(send), someoneWaitsForALock(watcher)])).toBe("waiting");
    await banner.query("COMMIT");
    await expect(send).rejects.toMatchObject({ name: "RoomClosedError", until: later(60_000), isDirect: false });
    expect(await sender.findByClientId(plaza, "racing")).toBeNull();
  });

  it("a ban arriving while a batch of the room holds its insert lock waits for that batch's COMMIT; the next send sees it", async () => {
    const [sender, moderator, watcher, batch] = [await node(), await node(), await connect(), await connect()];
    const plaza = `plaza-${Date.now()}`;
    await holdInsertLock(batch, plaza);
    const ban = moderator.addBan({ room: plaza, nameKey: nameKey("Bob"), name: "Bob", sessionKey: null, until: later(60_000), by: "mod", at: later(1000) });
    // Without the insert lock the ban would commit now, between that batch's read of the bans and its COMMIT.
    expect(await Promise.race([settledOf(ban), someoneWaitsForALock(watcher)])).toBe("waiting");
    expect(await moderator.activeBan(plaza, nameKey("Bob"), null, later(1000))).toBeNull();
    await batch.query("COMMIT");
    await ban;
    await expect(sender.append({ room: plaza, sender: "Bob", content: "after", sentAt: later(2000), ownerKey: "bob", memberSince: T0 })).rejects.toBeInstanceOf(RoomClosedError);
  });

  it("a kick arriving while a batch of the private room holds its insert lock waits for that batch's COMMIT; the kicked member's next send is refused not_in_room", async () => {
    const [sender, moderator, watcher, batch] = [await node(), await node(), await connect(), await connect()];
    const room = newPrivateAddress();
    await sender.access.createRoom({ room, title: "Team", kind: "private", creatorKey: "ana", membersCanInvite: false, originRoom: null, pairKey: null, createdAt: T0 }, [
      { sessionKey: `ana-${room}`, name: "Ana" },
      { sessionKey: `bob-${room}`, name: "Bob" },
    ]);
    await holdInsertLock(batch, room);
    const kick = moderator.access.expelMember(room, `bob-${room}`, later(1000));
    // Without the lock the kick would commit between that batch's read of the membership and its COMMIT.
    expect(await Promise.race([settledOf(kick), someoneWaitsForALock(watcher)])).toBe("waiting");
    await batch.query("COMMIT");
    expect(await kick).toBe(true);
    await expect(sender.append({ room, sender: "Bob", content: "after", sentAt: later(2000), ownerKey: `bob-${room}`, memberSince: T0 })).rejects.toMatchObject({ name: "RoomClosedError", until: null });
    expect((await sender.append({ room, sender: "Ana", content: "still in", sentAt: later(2000), ownerKey: `ana-${room}`, memberSince: T0 })).duplicate).toBe(false);
  });

  it("sends into conversations of one origin on two nodes do not wait on each other: their ban locks are shared", async () => {
    const [sender, watcher, batch] = [await node(), await connect(), await connect()];
    const lobby = `lobby-${Date.now()}`;
    const room = await conversation(sender, lobby);
    // Another node's batch into a conversation from the same room, past its read of the bans, holds the lock shared.
    await batch.query("BEGIN");
    await batch.query("SELECT pg_advisory_xact_lock_shared($1::bigint)", [String(roomBanLockKey(lobby))]);
    const send = sender.append({ room, sender: "Ana", content: "not waiting", sentAt: later(1000), ownerKey: `ana-${lobby}`, memberSince: T0 });
    expect(await Promise.race([send.then(() => "stored"), someoneWaitsForALock(watcher)])).toBe("stored");
    await batch.query("COMMIT");
  });
});
