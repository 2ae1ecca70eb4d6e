// The ChatStore contract, as one suite run over every store: test/storage.contract.test.ts (SQLite,
// in `npm test`) and test/cluster/postgres.contract.test.ts (PostgreSQL, in `npm run test:cluster`).
// A factory may hand out repositories on a shared database: every test uses rooms of its own.
import { randomUUID } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { parseSearchQuery } from "../../src/shared/search-query.js";
import { pageAround } from "../../src/storage/page-around.js";
import { StorageUnavailableError, type ChatMessage, type ChatStore, type NewMessage } from "../../src/storage/repository.js";
import { seedMessages } from "./messages.js";
import { describeEditAndModerationContract } from "./edits-contract.js";
import { describeAppendFilesContract } from "./files-contract.js";
import { describeReplyAndReactionContract } from "./reactions-contract.js";

export type RepositoryFactory = () => Promise<ChatStore>;

/** What a test needs to do to the store behind the interface (as another writer would). */
export interface StoreBackdoor {
  /** UPDATE chat_message SET content = ? WHERE id = ?: an edit, or a delete's erasure (content ''). */
  setContent(id: number, content: string): Promise<void>;
}

const T0 = new Date("2025-06-01T12:00:00.000Z");

const aMessage = (room: string, overrides: Partial<NewMessage> = {}): NewMessage => ({ room, sender: "ana", content: "hello", sentAt: T0, ...overrides });

export function describeRepositoryContract(name: string, makeRepo: RepositoryFactory, backdoor: StoreBackdoor): void {
  /** A repository closed when the test ends, and a room no other test (or earlier run on the database) uses. */
  async function setup(): Promise<{ repo: ChatStore; room: (suffix?: string) => string; prefix: string }> {
    const repo = await makeRepo();
    onTestFinished(() => repo.close());
    const prefix = randomUUID().slice(0, 8);
    return { repo, room: (suffix = "r") => `${suffix}-${prefix}`, prefix };
  }

  const ids = (messages: ChatMessage[]): number[] => messages.map((m) => m.id);

  describe(`${name}: ChatStore contract`, () => {
    it("stores a message and returns it with a new id, every field as given", async () => {
      const { repo, room } = await setup();
      const sentAt = new Date("2025-06-01T12:34:56.789Z");
      const res = await repo.append({ room: room(), sender: "ana", content: "hi there", sentAt, clientId: "c-1" });
      expect(res.duplicate).toBe(false);
      expect(res.message).toEqual({ id: expect.any(Number), room: room(), sender: "ana", content: "hi there", sentAt, clientId: "c-1" });
      const page = await repo.page(room(), { limit: 10 });
      expect(page).toEqual({ messages: [res.message], hasMore: false });
    });

    it("keeps sentAt to the millisecond and stores clientId as null when none was given", async () => {
      const { repo, room } = await setup();
      const times = ["2025-01-01T00:00:00.000Z", "2025-12-31T23:59:59.999Z", "2026-02-03T04:05:06.007Z"].map((t) => new Date(t));
      for (const sentAt of times) await repo.append(aMessage(room(), { sentAt }));
      const page = await repo.page(room(), { limit: 10 });
      expect(page.messages.map((m) => m.sentAt.toISOString())).toEqual(times.map((t) => t.toISOString()));
      expect(page.messages.every((m) => m.clientId === null)).toBe(true);
    });

    it("stores mentions with the message and returns them from append, page and a retried clientId; none means no field", async () => {
      const { repo, room } = await setup();
      const mentions = ["Ana Lopez", "bob", "Zoë", 'quote " and \\ backslash'];
      const withNames = await repo.append(aMessage(room(), { content: "@Ana Lopez @bob", mentions, clientId: "m-1" }));
      expect(withNames.message.mentions).toEqual(mentions);
      const without = await repo.append(aMessage(room(), { content: "no one" }));
      const empty = await repo.append(aMessage(room(), { content: "empty list", mentions: [] }));
      expect("mentions" in without.message).toBe(false);
      expect("mentions" in empty.message).toBe(false);
      const page = await repo.page(room(), { limit: 10 });
      expect(page.messages).toEqual([withNames.message, without.message, empty.message]);
      expect((await repo.page(room(), { after: 0, limit: 1 })).messages[0]?.mentions).toEqual(mentions);
      const retried = await repo.append(aMessage(room(), { content: "@Ana Lopez @bob", mentions: ["someone else"], clientId: "m-1" }));
      expect(retried).toEqual({ message: withNames.message, duplicate: true });
    });

    it("returns an empty page, without more, for a room that has no messages", async () => {
      const { repo, room } = await setup();
      expect(await repo.page(room(), { limit: 5 })).toEqual({ messages: [], hasMore: false });
      expect(await repo.page(room(), { after: 0, limit: 5 })).toEqual({ messages: [], hasMore: false });
    });

    it("pages the newest `limit` oldest-first, then older pages with `before`, saying whether more exist", async () => {
      const { repo, room } = await setup();
      const all = ids(await seedMessages(repo, room(), 7));
      const newest = await repo.page(room(), { limit: 3 });
      expect(ids(newest.messages)).toEqual(all.slice(4));
      expect(newest.hasMore).toBe(true);
      const older = await repo.page(room(), { before: all[4] as number, limit: 3 });
      expect(ids(older.messages)).toEqual(all.slice(1, 4));
      expect(older.hasMore).toBe(true);
      const oldest = await repo.page(room(), { before: all[1] as number, limit: 3 });
      expect(ids(oldest.messages)).toEqual(all.slice(0, 1));
      expect(oldest.hasMore).toBe(false);
      const exact = await repo.page(room(), { limit: 7 });
      expect(exact).toMatchObject({ hasMore: false });
      expect(ids(exact.messages)).toEqual(all);
    });

    it("pages forward with `after` (exclusive), oldest first, saying whether more exist", async () => {
      const { repo, room } = await setup();
      const all = ids(await seedMessages(repo, room(), 6));
      const first = await repo.page(room(), { after: 0, limit: 4 });
      expect(ids(first.messages)).toEqual(all.slice(0, 4));
      expect(first.hasMore).toBe(true);
      const rest = await repo.page(room(), { after: all[3] as number, limit: 4 });
      expect(ids(rest.messages)).toEqual(all.slice(4));
      expect(rest.hasMore).toBe(false);
      expect(await repo.page(room(), { after: all[5] as number, limit: 4 })).toEqual({ messages: [], hasMore: false });
    });

    it("treats `before` as exclusive and `limit: 1` as one row", async () => {
      const { repo, room } = await setup();
      const all = ids(await seedMessages(repo, room(), 3));
      expect(ids((await repo.page(room(), { before: all[2] as number, limit: 1 })).messages)).toEqual([all[1]]);
      expect(ids((await repo.page(room(), { after: all[0] as number, limit: 1 })).messages)).toEqual([all[1]]);
    });

    it("keeps rooms apart: a page holds only its own room's rows", async () => {
      const { repo, room } = await setup();
      const a = await seedMessages(repo, room("a"), 3, { prefix: "a" });
      await seedMessages(repo, room("b"), 3, { prefix: "b" });
      const page = await repo.page(room("a"), { limit: 10 });
      expect(page.messages).toEqual(a);
      expect(page.messages.every((m) => m.room === room("a"))).toBe(true);
    });

    it("reads messages by id: its room's rows of the listed ids, each once, ascending, whatever the list's order, repeats or strangers", async () => {
      const { repo, room } = await setup();
      const a = await seedMessages(repo, room("a"), 6, { prefix: "a" });
      const b = await seedMessages(repo, room("b"), 2, { prefix: "b" });
      const [a1, a2, , a4, , a6] = a.map((m) => m.id) as [number, number, number, number, number, number];
      const listed = [a6, a1, (b[0] as ChatMessage).id, a4, a1, 999_999_999, a2];
      expect(ids(await repo.messagesById(room("a"), listed))).toEqual([a1, a2, a4, a6]);
      expect(await repo.messagesById(room("a"), [a4])).toEqual([a[3]]);
      expect(await repo.messagesById(room("b"), [a1, a2])).toEqual([]);
      expect(await repo.messagesById(room("a"), [])).toEqual([]);
    });

    it("gives appends made in one turn increasing ids in call order", async () => {
      const { repo, room } = await setup();
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => repo.append(aMessage(room(), { content: `n${i}` }))));
      const got = results.map((r) => r.message.id);
      expect(got).toEqual([...got].sort((x, y) => x - y));
      expect(new Set(got).size).toBe(20);
      expect((await repo.page(room(), { limit: 50 })).messages.map((m) => m.content)).toEqual(results.map((_, i) => `n${i}`));
    });

    it("returns the earlier row for a repeated (room, clientId) and writes nothing", async () => {
      const { repo, room } = await setup();
      const first = await repo.append(aMessage(room(), { clientId: "same", content: "first" }));
      const again = await repo.append(aMessage(room(), { clientId: "same", content: "second try", sender: "someone" }));
      expect(again).toEqual({ message: first.message, duplicate: true });
      expect((await repo.page(room(), { limit: 10 })).messages).toEqual([first.message]);
    });

    it("finds the row a clientId stored, in its room only (a tombstone too), and null for one never stored", async () => {
      const { repo, room } = await setup();
      const { message } = await repo.append(aMessage(room("a"), { clientId: "found-me" }));
      expect(await repo.findByClientId(room("a"), "found-me")).toEqual(message);
      expect(await repo.findByClientId(room("b"), "found-me")).toBeNull();
      expect(await repo.findByClientId(room("a"), "never-sent")).toBeNull();
      const erased = await repo.erase(room("a"), message.id, T0);
      expect(await repo.findByClientId(room("a"), "found-me")).toEqual(erased);
    });

    it("stores the same clientId in another room as a new message", async () => {
      const { repo, room } = await setup();
      const a = await repo.append(aMessage(room("a"), { clientId: "same" }));
      const b = await repo.append(aMessage(room("b"), { clientId: "same" }));
      expect(b.duplicate).toBe(false);
      expect(b.message.id).not.toBe(a.message.id);
    });

    it("stores a clientId sent twice in one turn once; both calls get that row", async () => {
      const { repo, room } = await setup();
      const [one, two] = await Promise.all([
        repo.append(aMessage(room(), { clientId: "twice", content: "one" })),
        repo.append(aMessage(room(), { clientId: "twice", content: "two" })),
      ]);
      expect(one?.duplicate).toBe(false);
      expect(two).toEqual({ message: one?.message, duplicate: true });
      expect((await repo.page(room(), { limit: 10 })).messages).toEqual([one?.message]);
    });

    it("stores many concurrent appends over several rooms exactly once each, in id order per room", async () => {
      const { repo, room } = await setup();
      const rooms = [room("x"), room("y"), room("z")];
      const sends = Array.from({ length: 600 }, (_, i) => aMessage(rooms[i % 3] as string, { content: `c${i}`, clientId: `k${i}` }));
      const waves = [sends.slice(0, 200), sends.slice(200, 400), sends.slice(400)];
      const results = (
        await Promise.all(
          waves.map(async (wave, w) => {
            for (let turn = 0; turn < w; turn++) await new Promise((resolve) => setImmediate(resolve)); // later turns: other batches
            return Promise.all(wave.map((m) => repo.append(m)));
          }),
        )
      ).flat();
      expect(new Set(results.map((r) => r.message.id)).size).toBe(600);
      for (const r of rooms) {
        const page = await repo.page(r, { limit: 500 });
        expect(page.hasMore).toBe(false);
        expect(page.messages).toHaveLength(200);
        expect(ids(page.messages)).toEqual(ids(page.messages).sort((x, y) => x - y));
        const expected = results.filter((res) => res.message.room === r).map((res) => res.message);
        expect(page.messages).toEqual([...expected].sort((x, y) => x.id - y.id));
      }
    });

    it("stores and returns unicode text, room and sender names unchanged", async () => {
      const { repo, room } = await setup();
      const texts = ["héllo wörld", "你好，世界", "مرحبا بالعالم", "👩‍👩‍👧‍👦 🏳️‍🌈 🇫🇷", "e\u0301 vs é", "a\u200bb", "<b>not html</b> & 'quotes' \"too\"", "x".repeat(499) + "€"];
      const r = room("café-日本-🚀");
      for (const content of texts) await repo.append(aMessage(r, { content, sender: "Zoë 😀", clientId: `id-${content.slice(0, 5)}` }));
      const page = await repo.page(r, { limit: 20 });
      expect(page.messages.map((m) => m.content)).toEqual(texts);
      expect(page.messages.every((m) => m.sender === "Zoë 😀" && m.room === r)).toBe(true);
    });

    it("is healthy while open", async () => {
      const { repo } = await setup();
      expect(await repo.isHealthy()).toBe(true);
    });

    it("commits appends still pending at close, then refuses new ones with StorageUnavailableError", async () => {
      const { repo, room } = await setup();
      const pending = Array.from({ length: 5 }, (_, i) => repo.append(aMessage(room(), { content: `late ${i}` })));
      await repo.close();
      const stored = await Promise.all(pending);
      expect(stored.every((r) => !r.duplicate)).toBe(true);
      await expect(repo.append(aMessage(room()))).rejects.toBeInstanceOf(StorageUnavailableError);
      await repo.close(); // twice is fine

      const reopened = await makeRepo();
      onTestFinished(() => reopened.close());
      expect((await reopened.page(room(), { limit: 10 })).messages.map((m) => m.content)).toEqual(stored.map((r) => r.message.content));
    });

    describe("search", () => {
      const find = async (repo: ChatStore, r: string, q: string, opts: { before?: number; limit?: number } = {}): Promise<string[]> =>
        (await repo.search(r, parseSearchQuery(q), { limit: 20, ...opts })).messages.map((m) => m.content);
      const store = async (repo: ChatStore, r: string, rows: [sender: string, content: string][]): Promise<ChatMessage[]> => {
        const out: ChatMessage[] = [];
        for (const [sender, content] of rows) out.push((await repo.append(aMessage(r, { sender, content }))).message);
        return out;
      };

      it("finds messages holding every word, the last one as a prefix, in its room only", async () => {
        const { repo, room } = await setup();
        await store(repo, room(), [["ana", "lunch at noon"], ["ben", "lunch tomorrow at the park"], ["ana", "the park is closed"], ["ben", "Lunchbox"]]);
        await store(repo, room("other"), [["ana", "lunch at the park"]]);
        expect(await find(repo, room(), "lunch park")).toEqual(["lunch tomorrow at the park"]);
        expect((await find(repo, room(), "lunc")).sort()).toEqual(["Lunchbox", "lunch at noon", "lunch tomorrow at the park"]);
        expect(await find(repo, room(), "lunch pa")).toEqual(["lunch tomorrow at the park"]);
        expect(await find(repo, room(), "lunc park")).toEqual([]); // only the last word is a prefix
        expect(await find(repo, room(), "nothing")).toEqual([]);
      });

      it("folds case and diacritics both ways", async () => {
        const { repo, room } = await setup();
        await store(repo, room(), [["ana", "Un CAFÉ crème"], ["ben", "plain cafe"], ["ana", "cafe\u0301 decomposed"]]);
        expect((await find(repo, room(), "café")).length).toBe(3);
        expect((await find(repo, room(), "CREME")).length).toBe(1);
        expect((await find(repo, room(), "Cafe decomposed")).length).toBe(1);
      });

      it("matches a quoted phrase only where its words are consecutive and in order", async () => {
        const { repo, room } = await setup();
        await store(repo, room(), [["ana", "the big red dog"], ["ben", "a red, big dog"], ["ana", "red dogs"]]);
        expect(await find(repo, room(), '"big red dog"')).toEqual(["the big red dog"]);
        expect(await find(repo, room(), '"red dog"')).toEqual(["the big red dog"]); // no prefix inside quotes
      });

      it("filters by sender with from:, case-folded, alone or with words", async () => {
        const { repo, room } = await setup();
        await store(repo, room(), [["Ana", "hello there"], ["ben", "hello back"], ["ana", "bye"], ["Anabel", "hello too"]]);
        expect(await find(repo, room(), "from:ANA hello")).toEqual(["hello there"]);
        expect((await find(repo, room(), "from:ana")).sort()).toEqual(["bye", "hello there"]);
        expect(await find(repo, room(), "from:nobody")).toEqual([]);
      });

      it("matches from: by the name key of name ownership: width, case and look-alike letters fold together", async () => {
        const { repo, room } = await setup();
        // Cyrillic "а" in the second sender, full-width letters in the query: one name to the room.
        await store(repo, room(), [["ana", "latin"], ["\u0430na", "cyrillic"], ["ben", "other"]]);
        expect((await find(repo, room(), "from:ana")).sort()).toEqual(["cyrillic", "latin"]);
        expect((await find(repo, room(), "from:\uff21\uff2e\uff21")).sort()).toEqual(["cyrillic", "latin"]);
      });

      it("finds words written with a modifier-letter apostrophe (PostgreSQL's unaccent makes it a quote, which broke the query)", async () => {
        const { repo, room } = await setup();
        await store(repo, room(), [["ana", "Aloha from Hawai\u02BBi"], ["ben", "\u043C\u0430\u044E \u043F\u02BC\u044F\u0442\u044C \u0445\u0432\u0438\u043B\u0438\u043D"], ["ana", "a lone \u02BC sign"]]);
        expect(await find(repo, room(), "Hawai\u02BBi")).toEqual(["Aloha from Hawai\u02BBi"]);
        expect(await find(repo, room(), "\u043F\u02BC\u044F\u0442\u044C")).toEqual(["\u043C\u0430\u044E \u043F\u02BC\u044F\u0442\u044C \u0445\u0432\u0438\u043B\u0438\u043D"]);
      });

      it("searches FTS operators and stray punctuation as plain words", async () => {
        const { repo, room } = await setup();
        await store(repo, room(), [["ana", "stay near the door or not"], ["ben", "door"]]);
        expect(await find(repo, room(), 'NEAR( door "or NOT*')).toEqual(["stay near the door or not"]);
        expect(await find(repo, room(), "-door*")).toHaveLength(2);
      });

      it("pages newest first by id (the caller ranks a page), with before and hasMore", async () => {
        const { repo, room } = await setup();
        const rows = await store(repo, room(), [["ana", "apple"], ["ana", "an apple"], ["ana", "apple apple"], ["ana", "no match"], ["ana", "one apple"], ["ana", "apple pie"]]);
        const first = await repo.search(room(), parseSearchQuery("apple"), { limit: 3 });
        expect(first.hasMore).toBe(true);
        expect(ids(first.messages)).toEqual([rows[5]?.id, rows[4]?.id, rows[2]?.id]);
        const before = Math.min(...ids(first.messages));
        const second = await repo.search(room(), parseSearchQuery("apple"), { before, limit: 3 });
        expect(second.hasMore).toBe(false);
        expect(ids(second.messages)).toEqual([rows[1]?.id, rows[0]?.id]);
        const exact = await repo.search(room(), parseSearchQuery("apple"), { limit: 5 });
        expect(exact.hasMore).toBe(false);
      });

      it("follows edits and erasures: old text is not found, new text is", async () => {
        const { repo, room } = await setup();
        const [secret, kept] = await store(repo, room(), [["ana", "my secret password"], ["ben", "secret handshake"]]);
        await backdoor.setContent(secret?.id as number, ""); // a delete erases the text
        await backdoor.setContent(kept?.id as number, "open handshake"); // an edit
        expect(await find(repo, room(), "password")).toEqual([]);
        expect(await find(repo, room(), "secret")).toEqual([]);
        expect(await find(repo, room(), "open handshake")).toEqual(["open handshake"]);
      });
    });

    describe("a message in context (fetch_history {around})", () => {
      it("returns the message with older and newer neighbours, oldest first, saying what lies beyond", async () => {
        const { repo, room } = await setup();
        const all = ids(await seedMessages(repo, room(), 20));
        const mid = await pageAround(repo, room(), all[10] as number, 5);
        expect(ids(mid.messages)).toEqual(all.slice(8, 13));
        expect(mid).toMatchObject({ hasMore: true, hasMoreAfter: true });
        const start = await pageAround(repo, room(), all[0] as number, 5);
        expect(ids(start.messages)).toEqual(all.slice(0, 3));
        expect(start).toMatchObject({ hasMore: false, hasMoreAfter: true });
        const end = await pageAround(repo, room(), all[19] as number, 4);
        expect(ids(end.messages)).toEqual(all.slice(17));
        expect(end).toMatchObject({ hasMore: true, hasMoreAfter: false });
        const one = await pageAround(repo, room(), all[5] as number, 1);
        expect(ids(one.messages)).toEqual([all[5]]);
        expect(one).toMatchObject({ hasMore: true, hasMoreAfter: true });
      });

      it("keeps rooms apart", async () => {
        const { repo, room } = await setup();
        const a = ids(await seedMessages(repo, room("a"), 3));
        await seedMessages(repo, room("b"), 3);
        expect(ids((await pageAround(repo, room("a"), a[1] as number, 50)).messages)).toEqual(a);
      });
    });
  });

  describeEditAndModerationContract(name, setup);
  describeAppendFilesContract(name, setup);
  describeReplyAndReactionContract(name, setup);
}
