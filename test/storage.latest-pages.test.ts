// The newest page of a room is answered from memory (storage/latest-pages.ts, issue 20), so every way a page can
// change must drop it: each case reads the page first (so it is kept), changes the room, and reads again.
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { SqliteMessageRepository } from "../src/storage/sqlite.js";
import { tempDatabase } from "./helpers/app.js";

const T0 = new Date("2026-12-05T10:00:00Z");
const LIMIT = 10;

function openRepo(historyCacheRooms?: number, historyCacheRows?: number): { repo: SqliteMessageRepository; path: string } {
  const db = tempDatabase();
  const repo = new SqliteMessageRepository(db.path, {
    busyTimeoutMs: 100,
    log: createCapturingLogger(),
    ...(historyCacheRooms !== undefined ? { historyCacheRooms } : {}),
    ...(historyCacheRows !== undefined ? { historyCacheRows } : {}),
  });
  onTestFinished(async () => {
    await repo.close();
    db.remove();
  });
  return { repo, path: db.path };
}

async function say(repo: SqliteMessageRepository, room: string, content: string): Promise<number> {
  return (await repo.append({ room, sender: "Ana", content, sentAt: T0, ownerKey: "s:ana" })).message.id;
}

const contents = async (repo: SqliteMessageRepository, room: string): Promise<string[]> => (await repo.page(room, { limit: LIMIT })).messages.map((m) => m.content);

describe("the newest page, kept in memory", () => {
  it("is the same page for the next join, until an append in that room; other rooms' appends leave it", async () => {
    const { repo } = openRepo();
    await say(repo, "a", "one");
    await say(repo, "b", "elsewhere");
    const first = await repo.page("a", { limit: LIMIT });
    expect(await repo.page("a", { limit: LIMIT })).toBe(first); // kept, not read again
    await say(repo, "b", "elsewhere again");
    expect(await repo.page("a", { limit: LIMIT })).toBe(first);
    await say(repo, "a", "two");
    expect(await contents(repo, "a")).toEqual(["one", "two"]);
    // A catch-up after an id inside the kept page is answered from it (its messages are the kept, frozen ones).
    const oneId = first.messages[0]?.id ?? 0;
    const catchUp = await repo.page("a", { after: oneId, limit: LIMIT });
    expect(catchUp.messages.map((m) => m.content)).toEqual(["two"]);
    expect(Object.isFrozen(catchUp.messages[0])).toBe(true);
  });

  it("after appends in its room, is the same page extended in memory: as the file reads, its old messages not read again", async () => {
    const { repo, path } = openRepo();
    // The file as a second process reads it, with no page kept: what every extended page must equal.
    const fresh = new SqliteMessageRepository(path, { busyTimeoutMs: 100, log: createCapturingLogger(), historyCacheRooms: 0 });
    onTestFinished(() => fresh.close());
    const first = await say(repo, "a", "first");
    let kept = await repo.page("a", { limit: LIMIT });
    for (let i = 0; i < 25; i++) {
      // A batch in one turn: several rows of the room (one a retry of an earlier clientId), and another room's.
      const sends = [
        repo.append({ room: "a", sender: "Ana", content: `hi @Bo ${i}`, sentAt: new Date(T0.getTime() + i * 1001 + 7), ownerKey: "s:ana", clientId: `c${i}`, mentions: ["Bo"] }),
        repo.append({ room: "b", sender: "Bo", content: `b ${i}`, sentAt: T0, ownerKey: "s:bo" }),
        ...(i % 3 === 0 ? [repo.append({ room: "a", sender: "Bo", content: `re ${i}`, sentAt: T0, ownerKey: "s:bo", replyTo: first })] : []),
        ...(i > 0 ? [repo.append({ room: "a", sender: "Ana", content: "a retry", sentAt: T0, ownerKey: "s:ana", clientId: `c${i - 1}` })] : []),
      ];
      await Promise.all(sends);
      const now = await repo.page("a", { limit: LIMIT });
      expect(now).toEqual(await fresh.page("a", { limit: LIMIT }));
      // Served from memory: the messages it kept before are the very same objects.
      const overlap = kept.messages.filter((m) => now.messages.some((n) => n.id === m.id));
      for (const m of overlap) expect(now.messages.find((n) => n.id === m.id)).toBe(m);
      expect(overlap.length).toBeGreaterThan(0);
      expect(Object.isFrozen(now.messages.at(-1))).toBe(true);
      kept = now;
    }
    expect(kept.hasMore).toBe(true);
  });

  it("stays through writes that change no message: reactions, presence snapshots, push settings", async () => {
    const { repo } = openRepo();
    const id = await say(repo, "a", "hello");
    const kept = await repo.page("a", { limit: LIMIT });
    expect((await repo.react({ room: "a", id, emoji: "👍", sessionKey: "s:bo", name: "Bo", at: T0, on: true, maxEmoji: 20 })).state).toBe("changed");
    await repo.savePresence([{ room: "a", name: "Bo", ownerKey: "s:bo" }], T0);
    await repo.push.setLevel("s:bo", "a", "all", T0, 50);
    expect(await repo.page("a", { limit: LIMIT })).toBe(kept);
  });

  it("shows an edit and a delete", async () => {
    const { repo } = openRepo();
    const id = await say(repo, "a", "typo");
    expect(await contents(repo, "a")).toEqual(["typo"]);
    await repo.edit("a", id, "fixed", T0);
    expect(await contents(repo, "a")).toEqual(["fixed"]);
    await repo.erase("a", id, T0);
    const [erased] = (await repo.page("a", { limit: LIMIT })).messages;
    expect(erased?.deletedAt).toEqual(T0);
    expect(erased?.content).toBe("");
  });

  it("never shows a room's messages under its public name once it was made private", async () => {
    const { repo } = openRepo();
    await say(repo, "general", "now private");
    expect(await contents(repo, "general")).toEqual(["now private"]);
    const room = "~AAAAAAAAAAAAAAAAAAAAAA";
    await repo.access.makePrivate("general", { room, title: "general", kind: "private", creatorKey: "s:ana", membersCanInvite: true, originRoom: "general", pairKey: null, createdAt: T0 }, [
      { sessionKey: "s:ana", name: "Ana" },
    ]);
    expect(await contents(repo, "general")).toEqual([]);
    expect(await contents(repo, room)).toEqual(["now private"]);
  });

  it("shows rows another process wrote to the file (the Flask app beside this one)", async () => {
    const { repo, path } = openRepo();
    await say(repo, "a", "from the app");
    expect(await contents(repo, "a")).toEqual(["from the app"]);
    const flask = new Database(path);
    flask.prepare("INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES (?, ?, ?, ?)").run("a", "Bo", "from Flask", "2026-12-05 10:00:01.000000");
    flask.close();
    expect(await contents(repo, "a")).toEqual(["from the app", "from Flask"]);
  });

  it("is frozen: one reader cannot change what the next one gets", async () => {
    const { repo } = openRepo();
    await say(repo, "a", "shared");
    const page = await repo.page("a", { limit: LIMIT });
    const [message] = page.messages;
    expect(() => {
      (message as { content: string }).content = "changed";
    }).toThrow(TypeError);
    expect(() => page.messages.push(page.messages[0] as never)).toThrow(TypeError);
    expect(await contents(repo, "a")).toEqual(["shared"]);
  });

  it("keeps at most HISTORY_CACHE_ROOMS rooms, dropping the one used longest ago; 0 keeps none", async () => {
    const { repo } = openRepo(2);
    for (const room of ["a", "b", "c"]) await say(repo, room, room);
    const a = await repo.page("a", { limit: LIMIT });
    const b = await repo.page("b", { limit: LIMIT });
    expect(await repo.page("a", { limit: LIMIT })).toBe(a); // a is now the most recent
    await repo.page("c", { limit: LIMIT }); // b goes
    expect(await repo.page("a", { limit: LIMIT })).toBe(a);
    const bAgain = await repo.page("b", { limit: LIMIT });
    expect(bAgain).not.toBe(b);
    expect(bAgain).toEqual(b);

    const { repo: none } = openRepo(0);
    await say(none, "a", "a");
    const once = await none.page("a", { limit: LIMIT });
    expect(await none.page("a", { limit: LIMIT })).not.toBe(once);
  });

  it("keeps no page longer than the join's (HISTORY_LIMIT): a client's longer fetch is read, not kept", async () => {
    const { repo } = openRepo(undefined, 5);
    for (let i = 0; i < 8; i++) await say(repo, "a", `m${i}`);
    const long = await repo.page("a", { limit: 8 });
    expect(await repo.page("a", { limit: 8 })).not.toBe(long);
    const join = await repo.page("a", { limit: 5 });
    expect(await repo.page("a", { limit: 5 })).toBe(join);
  });

  it("answers catch-ups (after an id) and older pages from the kept page exactly as the file would, for every id and size", async () => {
    const { repo, path } = openRepo();
    // Ids with gaps (another room in between), rooms smaller and larger than the kept page.
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(await say(repo, "a", `m${i}`));
      if (i % 3 === 0) await say(repo, "other", `o${i}`);
    }
    const file = new SqliteMessageRepository(path, { busyTimeoutMs: 100, log: createCapturingLogger(), historyCacheRooms: 0 });
    onTestFinished(() => file.close());
    const cursors = [0, ...ids.flatMap((id) => [id - 1, id, id + 1]), 10_000];
    let asked = 0;
    for (const kept of [5, 12, 20]) {
      for (const limit of [1, 3, 5, 12, 20]) {
        for (const cursor of cursors) {
          for (const query of [{ after: cursor, limit }, { before: cursor, limit }, { limit }]) {
            await repo.page("a", { limit: kept }); // the kept page, for `kept` rows
            expect(await repo.page("a", query), `kept ${kept}, ${JSON.stringify(query)}`).toEqual(await file.page("a", query));
            asked++;
          }
        }
      }
    }
    expect(asked).toBeGreaterThan(500);
  });

  it("is kept by a catch-up into a room with none (a rejoin after a restart): the room's next catch-ups come from memory", async () => {
    const { repo, path } = openRepo(undefined, 5);
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) ids.push(await say(repo, "a", `m${i}`));
    const file = new SqliteMessageRepository(path, { busyTimeoutMs: 100, log: createCapturingLogger(), historyCacheRooms: 0 });
    onTestFinished(() => file.close());
    // No join read the room's page: the first catch-up keeps the newest 5 and answers from them.
    const first = await repo.page("a", { after: ids[5] ?? 0, limit: 100 });
    expect(first).toEqual(await file.page("a", { after: ids[5] ?? 0, limit: 100 }));
    expect(first.messages.map((m) => m.content)).toEqual(["m6", "m7"]);
    expect(Object.isFrozen(first.messages[0])).toBe(true);
    const second = await repo.page("a", { after: ids[4] ?? 0, limit: 100 });
    expect(second.messages.map((m) => m.content)).toEqual(["m5", "m6", "m7"]);
    expect(second.messages[1]).toBe(first.messages[0]); // the same kept message, not read again
    // One from before the kept page is read from the file (correctly), and the kept page stays for the others.
    const far = await repo.page("a", { after: ids[0] ?? 0, limit: 100 });
    expect(far).toEqual(await file.page("a", { after: ids[0] ?? 0, limit: 100 }));
    expect((await repo.page("a", { after: ids[6] ?? 0, limit: 100 })).messages[0]).toBe(first.messages[1]);
    // With no page kept at all (HISTORY_CACHE_ROOMS=0), catch-ups are read as before.
    const { repo: none } = openRepo(0);
    const id = await say(none, "a", "x");
    await say(none, "a", "y");
    const once = await none.page("a", { after: id, limit: 10 });
    expect(once.messages.map((m) => m.content)).toEqual(["y"]);
    expect((await none.page("a", { after: id, limit: 10 })).messages[0]).not.toBe(once.messages[0]);
  });
});
