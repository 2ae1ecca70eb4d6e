// The ChatStore contract for replies and reactions (issue 22), run over every store from repository-contract.ts.
import { describe, expect, it } from "vitest";
import type { ChatStore, ReactionChange } from "../../src/storage/repository.js";

const T0 = new Date("2025-06-01T12:00:00.000Z");

type Setup = () => Promise<{ repo: ChatStore; room: (suffix?: string) => string; prefix: string }>;

export function describeReplyAndReactionContract(name: string, setup: Setup): void {
  describe(`${name}: replies and reactions (issue 22)`, () => {
    const change = (room: string, id: number, emoji: string, sessionKey: string, on = true, maxEmoji = 20): ReactionChange => ({ room, id, emoji, sessionKey, name: sessionKey.toUpperCase(), at: T0, on, maxEmoji });

    it("stores reply_to and reads it back in every read (page, find, messagesById, search), and a duplicate's too", async () => {
      const { repo, room } = await setup();
      const original = (await repo.append({ room: room(), sender: "ana", content: "question", sentAt: T0 })).message;
      const reply = await repo.append({ room: room(), sender: "ben", content: "answer kiwi", sentAt: T0, replyTo: original.id, clientId: "c-r" });
      expect(reply.message.replyTo).toBe(original.id);
      expect((await repo.page(room(), { limit: 10 })).messages.map((m) => m.replyTo)).toEqual([undefined, original.id]);
      expect((await repo.find(room(), reply.message.id))?.replyTo).toBe(original.id);
      expect((await repo.messagesById(room(), [reply.message.id]))[0]?.replyTo).toBe(original.id);
      const { parseSearchQuery } = await import("../../src/shared/search-query.js");
      expect((await repo.search(room(), parseSearchQuery("kiwi"), { limit: 5 })).messages[0]?.replyTo).toBe(original.id);
      const again = await repo.append({ room: room(), sender: "ben", content: "answer kiwi", sentAt: T0, replyTo: original.id, clientId: "c-r" });
      expect(again).toMatchObject({ duplicate: true, message: { id: reply.message.id, replyTo: original.id } });
    });

    it("toggles one session's reaction once per emoji, groups in order of the oldest reaction, names in reaction order", async () => {
      const { repo, room } = await setup();
      const { id } = (await repo.append({ room: room(), sender: "ana", content: "hi", sentAt: T0 })).message;
      expect(await repo.react(change(room(), id, "👍", "a"))).toEqual({ state: "changed", reactions: [{ emoji: "👍", count: 1, names: ["A"], isMine: true }] });
      expect((await repo.react(change(room(), id, "👍", "a"))).state).toBe("unchanged");
      await repo.react(change(room(), id, "🎉", "b"));
      await repo.react(change(room(), id, "👍", "b"));
      expect((await repo.react(change(room(), id, "🎉", "c", false))).state).toBe("unchanged");
      const seenByB = await repo.reactionsOf([id], "b");
      expect(seenByB.get(id)).toEqual([
        { emoji: "👍", count: 2, names: ["A", "B"], isMine: true },
        { emoji: "🎉", count: 1, names: ["B"], isMine: true },
      ]);
      expect((await repo.reactionsOf([id], null)).get(id)?.map((g) => g.isMine)).toEqual([false, false]);
      // 👍's oldest reaction left is B's, newer than B's 🎉: 🎉 comes first now.
      await repo.react(change(room(), id, "👍", "a", false));
      expect((await repo.reactionsOf([id], "a")).get(id)).toEqual([
        { emoji: "🎉", count: 1, names: ["B"], isMine: false },
        { emoji: "👍", count: 1, names: ["B"], isMine: false },
      ]);
    });

    it("refuses a new emoji beyond maxEmoji, a missing, deleted or other room's message; a delete removes the reactions", async () => {
      const { repo, room } = await setup();
      const { id } = (await repo.append({ room: room(), sender: "ana", content: "hi", sentAt: T0 })).message;
      await repo.react(change(room(), id, "1️⃣", "a", true, 2));
      await repo.react(change(room(), id, "2️⃣", "a", true, 2));
      expect(await repo.react(change(room(), id, "3️⃣", "b", true, 2))).toEqual({ state: "too_many" });
      expect((await repo.react(change(room(), id, "2️⃣", "b", true, 2))).state).toBe("changed");
      expect(await repo.react(change(room("other"), id, "👍", "a"))).toEqual({ state: "not_found" });
      expect(await repo.react(change(room(), id + 10_000_000, "👍", "a"))).toEqual({ state: "not_found" });
      const erased = await repo.erase(room(), id, T0);
      expect(erased?.reactionsRemoved).toBe(3);
      expect(await repo.reactionsOf([id], "a")).toEqual(new Map());
      expect(await repo.react(change(room(), id, "👍", "a"))).toEqual({ state: "not_found" });
    });

    it("lists at most 20 names per emoji and counts them all; leaves out messages without reactions", async () => {
      const { repo, room } = await setup();
      const { id } = (await repo.append({ room: room(), sender: "ana", content: "hi", sentAt: T0 })).message;
      const other = (await repo.append({ room: room(), sender: "ana", content: "quiet", sentAt: T0 })).message.id;
      for (let i = 0; i < 23; i++) await repo.react(change(room(), id, "👍", `s${String(i).padStart(2, "0")}`));
      const groups = await repo.reactionsOf([id, other], "s22");
      expect([...groups.keys()]).toEqual([id]);
      expect(groups.get(id)).toEqual([{ emoji: "👍", count: 23, names: Array.from({ length: 20 }, (_, i) => `S${String(i).padStart(2, "0")}`), isMine: true }]);
    });
  });
}
