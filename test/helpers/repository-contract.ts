// The MessageRepository contract, as one suite run over every store: test/storage.contract.test.ts (SQLite,
// in `npm test`) and test/cluster/postgres.contract.test.ts (PostgreSQL, in `npm run test:cluster`).
// A factory may hand out repositories on a shared database: every test uses rooms of its own.
import { randomUUID } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { StorageUnavailableError, type ChatMessage, type MessageRepository, type NewMessage } from "../../src/storage/repository.js";
import { seedMessages } from "./messages.js";

export type RepositoryFactory = () => Promise<MessageRepository>;

const T0 = new Date("2025-06-01T12:00:00.000Z");

const aMessage = (room: string, overrides: Partial<NewMessage> = {}): NewMessage => ({ room, sender: "ana", content: "hello", sentAt: T0, ...overrides });

export function describeRepositoryContract(name: string, makeRepo: RepositoryFactory): void {
  /** A repository closed when the test ends, and a room no other test (or earlier run on the database) uses. */
  async function setup(): Promise<{ repo: MessageRepository; room: (suffix?: string) => string }> {
    const repo = await makeRepo();
    onTestFinished(() => repo.close());
    const prefix = randomUUID().slice(0, 8);
    return { repo, room: (suffix = "r") => `${suffix}-${prefix}` };
  }

  const ids = (messages: ChatMessage[]): number[] => messages.map((m) => m.id);

  describe(`${name}: MessageRepository contract`, () => {
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
  });
}
