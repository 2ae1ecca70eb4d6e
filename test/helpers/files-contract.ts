// The ChatStore contract for a send's files (issue 18), run over every store from repository-contract.ts: the
// append attaches them in its own transaction, all or none, and a send whose files are taken is refused alone.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AttachmentUnavailableError, type ChatMessage, type ChatStore, type NewMessage } from "../../src/storage/repository.js";

const T0 = new Date("2025-06-01T12:00:00.000Z");

type Setup = () => Promise<{ repo: ChatStore; room: (suffix?: string) => string; prefix: string }>;

/** A send of `sessionKey` (its ownerKey), as the chat handler makes one. */
const aSend = (room: string, sessionKey: string, overrides: Partial<NewMessage> = {}): NewMessage => ({ room, sender: "ana", content: "hello", sentAt: T0, ownerKey: sessionKey, ...overrides });

/** A new upload of `sessionKey`, not sent yet: its id. */
async function anUpload(repo: ChatStore, sessionKey: string): Promise<string> {
  const id = randomUUID();
  await repo.files.addUpload({ id, sessionKey, name: `${id.slice(0, 4)}.pdf`, type: "application/pdf", size: 10, sha256: "ab".repeat(32), createdAt: T0 });
  return id;
}

const fileIds = (m: ChatMessage | undefined): string[] => m?.attachments?.map((a) => a.id) ?? [];

export function describeAppendFilesContract(name: string, setup: Setup): void {
  describe(`${name}: a send's files (issue 18)`, () => {
    it("refuses alone, with AttachmentUnavailableError, a send of one batch whose upload an earlier send of the batch took; the others are stored", async () => {
      const { repo, room, prefix } = await setup();
      const ana = `ana-${prefix}`;
      const file = await anUpload(repo, ana);
      // One turn, so one group-commit batch: two tabs sending the same upload, and someone else's plain message.
      const [tab1, tab2, plain] = await Promise.allSettled([
        repo.append(aSend(room(), ana, { content: "", attachments: [file] })),
        repo.append(aSend(room(), ana, { content: "", attachments: [file] })),
        repo.append(aSend(room(), `bob-${prefix}`, { content: "no files" })),
      ]);
      expect(tab2.status === "rejected" && tab2.reason).toBeInstanceOf(AttachmentUnavailableError);
      const stored = [tab1, plain].map((r) => (r.status === "fulfilled" ? r.value.message : undefined));
      expect(stored.map(fileIds)).toEqual([[file], []]);
      expect((await repo.page(room(), { limit: 10 })).messages).toEqual(stored);
    });

    it("refuses a send naming another session's upload, an unknown one, or one sent already, and attaches none of its files then", async () => {
      const { repo, room, prefix } = await setup();
      const ana = `ana-${prefix}`;
      const sent = await anUpload(repo, ana);
      const first = await repo.append(aSend(room(), ana, { content: "first", attachments: [sent] }));
      const spare = await anUpload(repo, ana);
      for (const attachments of [[await anUpload(repo, `eve-${prefix}`)], [randomUUID()], [sent], [spare, sent]]) {
        await expect(repo.append(aSend(room(), ana, { content: "refused", attachments }))).rejects.toBeInstanceOf(AttachmentUnavailableError);
      }
      // The refused send took nothing: its free upload can still be sent.
      const later = await repo.append(aSend(room(), ana, { content: "later", attachments: [spare] }));
      expect(fileIds(later.message)).toEqual([spare]);
      expect((await repo.page(room(), { limit: 10 })).messages).toEqual([first.message, later.message]);
    });

    it("answers a repeat (same clientId) of a send with files as its duplicate, files and all, not as a refusal; in one batch too", async () => {
      const { repo, room, prefix } = await setup();
      const ana = `ana-${prefix}`;
      const file = await anUpload(repo, ana);
      const first = await repo.append(aSend(room(), ana, { clientId: "c-files", attachments: [file] }));
      expect(await repo.append(aSend(room(), ana, { clientId: "c-files", attachments: [file] }))).toEqual({ message: first.message, duplicate: true });
      const other = await anUpload(repo, ana);
      const [one, two] = await Promise.all([0, 1].map(() => repo.append(aSend(room(), ana, { clientId: "c-twice", attachments: [other] }))));
      expect(fileIds(one?.message)).toEqual([other]);
      expect(two).toEqual({ message: one?.message, duplicate: true });
    });
  });
}
