// A send into a direct conversation racing a ban from the room it was opened in, on two nodes of one PostgreSQL: the
// batch and the ban meet at the room's ban lock (postgres-direct-sends.ts). Each side is held at that lock by a
// transaction of this test, so the race is driven, not hoped for: the ban's row is written but not committed while
// the send arrives, or the send's lock is held while the ban arrives.
import pg from "pg";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { directPairKey, newPrivateAddress } from "../../src/access/policy.js";
import { nameKey } from "../../src/shared/names.js";
import { roomBanLockKey } from "../../src/storage/postgres-pool.js";
import { DirectClosedError, type ChatStore } from "../../src/storage/repository.js";
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
    await expect(send).rejects.toBeInstanceOf(DirectClosedError);
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
    const ban = moderator.addBan({ room: lobby, nameKey: nameKey("Bob"), sessionKey: null, until: later(60_000), by: "mod", at: later(1000) });
    expect(await Promise.race([settledOf(ban), someoneWaitsForALock(watcher)])).toBe("waiting");
    expect(await moderator.activeBan(lobby, nameKey("Bob"), null, later(1000))).toBeNull();
    await batch.query("COMMIT");
    await ban;
    await expect(sender.append({ room, sender: "Bob", content: "after", sentAt: later(2000), ownerKey: `bob-${lobby}`, memberSince: T0 })).rejects.toBeInstanceOf(DirectClosedError);
    // Sends into the room itself never wait for its ban lock.
    expect((await sender.append({ room: lobby, sender: "Ana", content: "in the room", sentAt: later(2000), memberSince: T0 })).duplicate).toBe(false);
  });
});
