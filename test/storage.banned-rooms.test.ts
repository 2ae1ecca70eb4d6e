// A join asks SQLite for its room's active ban only when the room has ban rows (sqlite-moderation.ts keeps the set
// of such rooms in memory): each case asks first, so the set is kept without the room, then bans, and asks again.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { tempDatabase } from "./helpers/app.js";

const T0 = new Date("2026-12-06T10:00:00Z");
const LATER = new Date(T0.getTime() + 60_000);

function openRepo(): { repo: SqliteMessageRepository; path: string } {
  const db = tempDatabase();
  const repo = new SqliteMessageRepository(db.path, { busyTimeoutMs: 100, log: createCapturingLogger() });
  onTestFinished(async () => {
    await repo.close();
    db.remove();
  });
  return { repo, path: db.path };
}

describe("the rooms with bans, kept in memory", () => {
  it("finds a ban made after the room was asked about with none", async () => {
    const { repo } = openRepo();
    expect(await repo.activeBan("general", "troll", null, T0)).toBeNull();

    await repo.addBan({ room: "general", nameKey: "troll", name: "troll", sessionKey: "s:troll", until: LATER, by: "mod", at: T0 });

    expect(await repo.activeBan("general", "troll", null, T0)).toMatchObject({ room: "general", nameKey: "troll" });
    expect(await repo.activeBan("general", "other", "s:troll", T0)).toMatchObject({ sessionKey: "s:troll" });
    expect(await repo.activeBan("elsewhere", "troll", "s:troll", T0)).toBeNull();
  });

  it("finds a ban another process wrote into the file", async () => {
    const { repo, path } = openRepo();
    expect(await repo.activeBan("general", "troll", null, T0)).toBeNull();

    const other = new Database(path);
    other
      .prepare("INSERT INTO room_ban (room, name_key, session_key, until, moderator, created_at) VALUES (?, ?, ?, ?, ?, ?)")
      .run("general", "troll", null, LATER.toISOString(), "mod", T0.toISOString());
    other.close();

    expect(await repo.activeBan("general", "troll", null, T0)).toMatchObject({ room: "general", nameKey: "troll" });
  });

  it("still answers by the time asked: a ban that ended is none, in a room that keeps its rows", async () => {
    const { repo } = openRepo();
    await repo.addBan({ room: "general", nameKey: "troll", name: "troll", sessionKey: null, until: LATER, by: "mod", at: T0 });

    expect(await repo.activeBan("general", "troll", null, T0)).not.toBeNull();
    expect(await repo.activeBan("general", "troll", null, LATER)).toBeNull();
    expect(await repo.activeBan("general", "troll", null, T0)).not.toBeNull(); // asked for an earlier time again
  });
});
