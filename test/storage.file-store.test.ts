// The FileStore contract on disk (SQLite mode); the same suite runs on PostgreSQL in `npm run test:cluster`. Also
// what only the disk store has: uploads a crash left half-spooled are cleared when it opens.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { DiskFileStore } from "../src/storage/disk-file-store.js";
import { describeFileStoreContract } from "./helpers/file-store-contract.js";

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-files-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describeFileStoreContract("disk", () => {
  const store = new DiskFileStore(folder());
  return Promise.resolve({ store, close: () => Promise.resolve() });
});

describe("disk file store", () => {
  it("clears what a crash left in its spool folder when it opens, and keeps the stored files", async () => {
    const dir = folder();
    const store = new DiskFileStore(dir);
    const bytes = Buffer.from("kept");
    const { createHash } = await import("node:crypto");
    const hash = createHash("sha256").update(bytes).digest("hex");
    await store.put(hash, bytes, bytes.length);
    writeFileSync(join(store.spoolDir(), "upload-half"), Buffer.alloc(1000));
    writeFileSync(join(store.spoolDir(), "put-half"), Buffer.alloc(1000));
    const again = new DiskFileStore(dir);
    expect(readdirSync(again.spoolDir())).toEqual([]);
    expect(await again.has(hash)).toBe(true);
  });
});
