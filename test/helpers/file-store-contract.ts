// The FileStore contract (issue 18: the bytes of files), one suite over every implementation:
// test/storage.file-store.test.ts (on disk, in `npm test`) and test/cluster/postgres.file-store.test.ts
// (PostgreSQL, in `npm run test:cluster`).
import { createHash, randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { describe, expect, it, onTestFinished } from "vitest";
import { FileMissingError, type FileStore } from "../../src/storage/files.js";

export type FileStoreFactory = () => Promise<{ store: FileStore; close(): Promise<void> }>;

const sha = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function describeFileStoreContract(name: string, make: FileStoreFactory): void {
  async function setup(): Promise<FileStore> {
    const { store, close } = await make();
    onTestFinished(close);
    return store;
  }

  describe(`${name}: FileStore contract`, () => {
    it("keeps a buffer under its hash and gives it back whole, and says it has it", async () => {
      const store = await setup();
      const bytes = randomBytes(5000);
      expect(await store.has(sha(bytes))).toBe(false);
      await store.put(sha(bytes), bytes, bytes.length);
      expect(await store.has(sha(bytes))).toBe(true);
      expect(await bytesOf(await store.read(sha(bytes)))).toEqual(bytes);
    });

    it("keeps a spooled file (a path) the same way; storing the same bytes again changes nothing", async () => {
      const store = await setup();
      const bytes = randomBytes(3 * 1024 * 1024 + 17); // more than one 1 MiB chunk
      const path = join(store.spoolDir(), `spooled-${randomBytes(4).toString("hex")}`);
      writeFileSync(path, bytes);
      await store.put(sha(bytes), path, bytes.length);
      await store.put(sha(bytes), bytes, bytes.length);
      expect(sha(await bytesOf(await store.read(sha(bytes))))).toBe(sha(bytes));
    });

    it("reads any range, also one across chunk boundaries, and the empty file", async () => {
      const store = await setup();
      const bytes = randomBytes(2 * 1024 * 1024 + 100);
      await store.put(sha(bytes), bytes, bytes.length);
      for (const [start, end] of [
        [0, 0],
        [10, 99],
        [1024 * 1024 - 5, 1024 * 1024 + 5],
        [bytes.length - 1, bytes.length - 1],
        [0, bytes.length - 1],
      ] as const) {
        expect(await bytesOf(await store.read(sha(bytes), { start, end }))).toEqual(bytes.subarray(start, end + 1));
      }
      const empty = Buffer.alloc(0);
      await store.put(sha(empty), empty, 0);
      expect(await bytesOf(await store.read(sha(empty)))).toEqual(empty);
    });

    it("stores all or nothing: bytes that are not the size promised are refused and nothing is readable", async () => {
      const store = await setup();
      const bytes = randomBytes(2000);
      await expect(store.put(sha(bytes), bytes, 1999)).rejects.toThrow();
      expect(await store.has(sha(bytes))).toBe(false);
      await expect(store.read(sha(bytes))).rejects.toBeInstanceOf(FileMissingError);
    });

    it("deletes (and deleting what is not there is fine); a read then answers FileMissingError", async () => {
      const store = await setup();
      const bytes = randomBytes(100);
      await store.put(sha(bytes), bytes, bytes.length);
      await store.delete(sha(bytes));
      await store.delete(sha(bytes));
      expect(await store.has(sha(bytes))).toBe(false);
      await expect(store.read(sha(bytes))).rejects.toBeInstanceOf(FileMissingError);
    });

    it("two puts of the same bytes at once leave one readable copy", async () => {
      const store = await setup();
      const bytes = randomBytes(1024 * 1024 + 1);
      await Promise.all([store.put(sha(bytes), bytes, bytes.length), store.put(sha(bytes), Buffer.from(bytes), bytes.length)]);
      expect(await bytesOf(await store.read(sha(bytes)))).toEqual(bytes);
    });
  });
}
