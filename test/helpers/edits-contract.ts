// The ChatStore contract for editing, deleting and moderation (issue 12), run over every store from repository-contract.ts.
import { describe, expect, it } from "vitest";
import { nameKey } from "../../src/shared/names.js";
import { parseSearchQuery } from "../../src/shared/search-query.js";
import type { ChatMessage, ChatStore, NewMessage } from "../../src/storage/repository.js";
import { seedMessages } from "./messages.js";

const T0 = new Date("2025-06-01T12:00:00.000Z");

const aMessage = (room: string, overrides: Partial<NewMessage> = {}): NewMessage => ({ room, sender: "ana", content: "hello", sentAt: T0, ...overrides });
const ids = (messages: ChatMessage[]): number[] => messages.map((m) => m.id);

type Setup = () => Promise<{ repo: ChatStore; room: (suffix?: string) => string; prefix: string }>;

export function describeEditAndModerationContract(name: string, setup: Setup): void {
  describe(`${name}: editing, deleting and moderation (issue 12)`, () => {
    const T1 = new Date("2025-06-01T12:05:00.123Z");
    const T2 = new Date("2025-06-01T12:06:00.456Z");

    it("stores the owner key with a message; a message without one has none", async () => {
      const { repo, room } = await setup();
      const owned = await repo.append(aMessage(room(), { ownerKey: "k-ana" }));
      const plain = await repo.append(aMessage(room()));
      expect(owned.message.ownerKey).toBe("k-ana");
      expect(plain.message).not.toHaveProperty("ownerKey");
      const page = await repo.page(room(), { limit: 10 });
      expect(page.messages).toEqual([owned.message, plain.message]);
      expect(await repo.find(room(), owned.message.id)).toEqual(owned.message);
    });

    it("finds a message only in its own room, and null for an id that does not exist", async () => {
      const { repo, room } = await setup();
      const { message } = await repo.append(aMessage(room("a")));
      expect(await repo.find(room("a"), message.id)).toEqual(message);
      expect(await repo.find(room("b"), message.id)).toBeNull();
      expect(await repo.find(room("a"), message.id + 1_000_000)).toBeNull();
    });

    it("tells which of some ids of a room were edited or deleted and what they answer, oldest first, leaving out other rooms' and missing ids", async () => {
      const { repo, room } = await setup();
      const [plain, edited, erased] = await seedMessages(repo, room("a"), 3);
      const reply = await repo.append(aMessage(room("a"), { replyTo: (plain as ChatMessage).id }));
      const elsewhere = await repo.append(aMessage(room("b")));
      await repo.edit(room("a"), (edited as ChatMessage).id, "fixed", T1);
      await repo.erase(room("a"), (erased as ChatMessage).id, T2);
      await repo.erase(room("b"), elsewhere.message.id, T2);
      const asked = [reply.message.id, (erased as ChatMessage).id, elsewhere.message.id, (plain as ChatMessage).id, (edited as ChatMessage).id, elsewhere.message.id + 1_000_000];
      expect(await repo.editStatesById(room("a"), asked)).toEqual([
        { id: (plain as ChatMessage).id, isEdited: false, isDeleted: false },
        { id: (edited as ChatMessage).id, isEdited: true, isDeleted: false },
        { id: (erased as ChatMessage).id, isEdited: false, isDeleted: true },
        { id: reply.message.id, isEdited: false, isDeleted: false, replyTo: (plain as ChatMessage).id },
      ]);
      expect(await repo.editStatesById(room("b"), [(plain as ChatMessage).id])).toEqual([]);
      expect(await repo.editStatesById(room("a"), [])).toEqual([]);
    });

    it("tells the states of listed ids far apart, with many unlisted messages of the room between them, as of ids side by side", async () => {
      const { repo, room } = await setup();
      const run = await seedMessages(repo, room("a"), 20);
      const [first, middle, last] = [run[0], run[10], run[19]] as [ChatMessage, ChatMessage, ChatMessage];
      await repo.append(aMessage(room("b")));
      await repo.edit(room("a"), first.id, "fixed", T1);
      await repo.erase(room("a"), middle.id, T2);
      // Three listed ids (one twice) across twenty messages: the store may not walk all the room's rows between them.
      expect(await repo.editStatesById(room("a"), [last.id, first.id, middle.id, first.id])).toEqual([
        { id: first.id, isEdited: true, isDeleted: false },
        { id: middle.id, isEdited: false, isDeleted: true },
        { id: last.id, isEdited: false, isDeleted: false },
      ]);
    });

    it("edits a message in place: new text and editedAt, same id, and history shows the current state", async () => {
      const { repo, room } = await setup();
      const [first, second] = await seedMessages(repo, room(), 2);
      const edited = await repo.edit(room(), (first as ChatMessage).id, "fixed typo", T1);
      expect(edited).toEqual({ ...first, content: "fixed typo", editedAt: T1 });
      expect((await repo.page(room(), { limit: 10 })).messages).toEqual([edited, second]);
      expect(await repo.edit(room("elsewhere"), (first as ChatMessage).id, "no", T2)).toBeNull();
    });

    it("erases a message to a tombstone: content '', deletedAt set, the row and its id kept", async () => {
      const { repo, room } = await setup();
      const [first, second, third] = await seedMessages(repo, room(), 3);
      const erased = await repo.erase(room(), (second as ChatMessage).id, T1);
      expect(erased).toEqual({ ...second, content: "", deletedAt: T1 });
      const page = await repo.page(room(), { limit: 10 });
      expect(page.messages).toEqual([first, erased, third]);
      expect(ids((await repo.page(room(), { after: (first as ChatMessage).id, limit: 1 })).messages)).toEqual([(second as ChatMessage).id]);
    });

    it("never changes a tombstone again: edit and erase answer null and the text stays erased", async () => {
      const { repo, room } = await setup();
      const { message } = await repo.append(aMessage(room(), { content: "secret" }));
      await repo.erase(room(), message.id, T1);
      expect(await repo.edit(room(), message.id, "back again", T2)).toBeNull();
      expect(await repo.erase(room(), message.id, T2)).toBeNull();
      expect(await repo.find(room(), message.id)).toEqual({ ...message, content: "", deletedAt: T1 });
    });

    it("an edit replaces the mentions (none when given none), an erase clears them, search hits carry them", async () => {
      const { repo, room } = await setup();
      const { message } = await repo.append(aMessage(room(), { content: "@ana hello", mentions: ["ana"] }));
      const edited = await repo.edit(room(), message.id, "@bo hello", T1, ["bo"]);
      expect(edited).toEqual({ ...message, content: "@bo hello", editedAt: T1, mentions: ["bo"] });
      expect((await repo.search(room(), parseSearchQuery("hello"), { limit: 5 })).messages).toEqual([edited]);
      const plain = await repo.edit(room(), message.id, "hello", T2);
      expect(plain !== null && "mentions" in plain).toBe(false);
      await repo.edit(room(), message.id, "@bo again", T2, ["bo"]);
      const erased = await repo.erase(room(), message.id, T2);
      expect(erased !== null && "mentions" in erased).toBe(false);
      expect(await repo.find(room(), message.id)).toEqual(erased);
    });

    it("keeps moderator sessions until they are removed", async () => {
      const { repo, prefix } = await setup();
      const key = `mod-${prefix}`;
      expect(await repo.isModerator(key)).toBe(false);
      await repo.setModerator(key, true, T1);
      await repo.setModerator(key, true, T2); // twice is fine
      expect(await repo.isModerator(key)).toBe(true);
      expect(await repo.isModerator(`other-${prefix}`)).toBe(false);
      await repo.setModerator(key, false, T2);
      expect(await repo.isModerator(key)).toBe(false);
    });

    it("finds a ban in force by name key or by session, in its room only, until it ends", async () => {
      const { repo, room, prefix } = await setup();
      const until = new Date(T1.getTime() + 60_000);
      await repo.addBan({ room: room(), nameKey: "ana", name: "ana", sessionKey: `s-${prefix}`, until, by: "mod", at: T1 });
      const expected = { room: room(), nameKey: "ana", name: "ana", sessionKey: `s-${prefix}`, until, by: "mod", at: T1 };
      expect(await repo.activeBan(room(), "ana", null, T1)).toEqual(expected);
      expect(await repo.activeBan(room(), "other name", `s-${prefix}`, T1)).toEqual(expected);
      expect(await repo.activeBan(room(), "other name", `x-${prefix}`, T1)).toBeNull();
      expect(await repo.activeBan(room("elsewhere"), "ana", `s-${prefix}`, T1)).toBeNull();
      expect(await repo.activeBan(room(), "ana", null, until)).toBeNull(); // ended
    });

    it("answers the ban that ends last when several hold", async () => {
      const { repo, room } = await setup();
      const short = new Date(T1.getTime() + 1000);
      const long = new Date(T1.getTime() + 10_000);
      await repo.addBan({ room: room(), nameKey: "ana", name: "ana", sessionKey: null, until: long, by: "mod", at: T1 });
      await repo.addBan({ room: room(), nameKey: "ana", name: "ana", sessionKey: null, until: short, by: "mod", at: T1 });
      expect((await repo.activeBan(room(), "ana", null, T1))?.until).toEqual(long);
    });

    it("ends every ban of a name key in force in its room now, the session it bound with it, and counts them", async () => {
      const { repo, room, prefix } = await setup();
      const session = `s-${prefix}`;
      await repo.addBan({ room: room(), nameKey: "ana", name: "ana", sessionKey: session, until: new Date(T1.getTime() + 600_000), by: "mod", at: T1 });
      await repo.addBan({ room: room(), nameKey: "ana", name: "ana", sessionKey: null, until: new Date(T1.getTime() + 1_200_000), by: "mod", at: T1 });
      await repo.addBan({ room: room(), nameKey: "ana", name: "ana", sessionKey: null, until: new Date(T1.getTime() + 10), by: "mod", at: T0 }); // run out at T2
      await repo.addBan({ room: room(), nameKey: "ben", name: "ben", sessionKey: null, until: new Date(T1.getTime() + 600_000), by: "mod", at: T1 });
      await repo.addBan({ room: room("elsewhere"), nameKey: "ana", name: "ana", sessionKey: session, until: new Date(T1.getTime() + 600_000), by: "mod", at: T1 });

      expect(await repo.endBans(room(), "ana", T2)).toBe(2);

      expect(await repo.activeBan(room(), "ana", null, T2)).toBeNull();
      expect(await repo.activeBan(room(), "other name", session, T2)).toBeNull();
      expect(await repo.activeBan(room(), "ben", null, T2)).not.toBeNull();
      expect(await repo.activeBan(room("elsewhere"), "ana", session, T2)).not.toBeNull();
      expect(await repo.endBans(room(), "ana", T2)).toBe(0);
    });

    it("lists the name keys banned in force in a room, each once with its last end, the newest ban first, at most the limit", async () => {
      const { repo, room } = await setup();
      const at = (ms: number): Date => new Date(T1.getTime() + ms);
      await repo.addBan({ room: room(), nameKey: "ana", name: "Ana", sessionKey: null, until: at(60_000), by: "mod", at: at(0) });
      await repo.addBan({ room: room(), nameKey: "ana", name: "ANA", sessionKey: null, until: at(30_000), by: "mod", at: at(3) });
      await repo.addBan({ room: room(), nameKey: "ben", name: "Ben", sessionKey: null, until: at(90_000), by: "mod", at: at(2) });
      await repo.addBan({ room: room(), nameKey: "cy", name: "Cy", sessionKey: null, until: at(1), by: "mod", at: at(1) }); // ended by at(5)
      await repo.addBan({ room: room("elsewhere"), nameKey: "dee", name: "Dee", sessionKey: null, until: at(90_000), by: "mod", at: at(4) });

      expect(await repo.activeBans(room(), at(5), 10)).toEqual([
        { nameKey: "ana", name: "ANA", until: at(60_000), at: at(3) },
        { nameKey: "ben", name: "Ben", until: at(90_000), at: at(2) },
      ]);
      expect(await repo.activeBans(room(), at(5), 1)).toEqual([{ nameKey: "ana", name: "ANA", until: at(60_000), at: at(3) }]);
      await repo.endBans(room(), "ana", at(5));
      expect(await repo.activeBans(room(), at(5), 10)).toEqual([{ nameKey: "ben", name: "Ben", until: at(90_000), at: at(2) }]);
    });

    it("lists each name as typed in its newest ban in force, from the ban itself: no audit line needed", async () => {
      const { repo, room } = await setup();
      const at = (ms: number): Date => new Date(T1.getTime() + ms);
      // "Mod" is kept as its key "rnod" (the confusable skeleton): the list must show what the moderator typed.
      await repo.addBan({ room: room(), nameKey: nameKey("Mod"), name: "Mod", sessionKey: null, until: at(60_000), by: "mod", at: at(0) });
      // A later spelling of the same name whose ban ran out is not the one shown.
      await repo.addBan({ room: room(), nameKey: nameKey("MOD"), name: "MOD", sessionKey: null, until: at(2), by: "mod", at: at(1) });
      expect(nameKey("Mod")).not.toBe("Mod");
      expect((await repo.auditLog(10_000)).filter((e) => e.room === room())).toEqual([]);

      expect(await repo.activeBans(room(), at(5), 10)).toEqual([{ nameKey: nameKey("Mod"), name: "Mod", until: at(60_000), at: at(0) }]);
      expect((await repo.activeBan(room(), nameKey("mod"), null, at(5)))?.name).toBe("Mod");
    });

    it("stores audit entries and lists the newest first", async () => {
      const { repo, room, prefix } = await setup();
      const who = `m-${prefix}`;
      await repo.audit({ at: T1, moderator: who, action: "delete", room: room(), target: "ben", messageId: 42, detail: null });
      await repo.audit({ at: T2, moderator: who, action: "ban", room: room(), target: "ben", messageId: null, detail: '{"durationMs":1000}' });
      const mine = (await repo.auditLog(1000)).filter((e) => e.moderator === who);
      expect(mine).toEqual([
        { at: T2, moderator: who, action: "ban", room: room(), target: "ben", messageId: null, detail: '{"durationMs":1000}' },
        { at: T1, moderator: who, action: "delete", room: room(), target: "ben", messageId: 42, detail: null },
      ]);
    });
  });
}
