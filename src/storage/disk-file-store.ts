// File bytes on disk (SQLite mode): FILES_PATH/<first two hex>/<sha256>, written atomically (a temporary file in
// the same folder tree, fsync, rename, fsync of the folder), so a crash leaves either the whole file or none; the
// records in the database are written after, so nothing ever points at half a file. Spooled uploads live in
// FILES_PATH/tmp (same file system: the rename is the move) and are cleared at start.
import { randomBytes } from "node:crypto";
import { createReadStream, readdirSync, rmSync } from "node:fs";
import { copyFile, mkdir, open, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { FileMissingError, type FileStore } from "./files.js";
import { makeFolders } from "./make-folders.js";

const SHA256 = /^[0-9a-f]{64}$/;

/** fsync a folder, so a rename into it survives a power cut. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export class DiskFileStore implements FileStore {
  private readonly tmp: string;

  /** Creates the folders and removes spooled uploads a crash left behind (at start, before anything is served). */
  constructor(private readonly root: string) {
    this.tmp = join(root, "tmp");
    makeFolders(this.tmp);
    for (const name of readdirSync(this.tmp)) rmSync(join(this.tmp, name), { force: true, recursive: true });
  }

  private pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a SHA-256: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  spoolDir(): string {
    return this.tmp;
  }

  async put(sha256: string, source: string | Buffer, size: number): Promise<void> {
    const target = this.pathOf(sha256);
    if (await exists(target)) return; // same bytes, same name
    const dir = join(this.root, sha256.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const temp = join(this.tmp, `put-${randomBytes(8).toString("hex")}`);
    try {
      if (typeof source === "string") await copyFile(source, temp);
      else {
        const handle = await open(temp, "w");
        try {
          await handle.writeFile(source);
        } finally {
          await handle.close();
        }
      }
      const handle = await open(temp, "r+");
      try {
        if ((await handle.stat()).size !== size) throw new Error(`stored ${sha256} has the wrong size`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
      await syncDir(dir);
    } finally {
      await rm(temp, { force: true });
    }
  }

  async read(sha256: string, range?: { start: number; end: number }): Promise<Readable> {
    const path = this.pathOf(sha256);
    if (!(await exists(path))) throw new FileMissingError(sha256);
    return createReadStream(path, range ?? {});
  }

  has(sha256: string): Promise<boolean> {
    return exists(this.pathOf(sha256));
  }

  async delete(sha256: string): Promise<void> {
    await unlink(this.pathOf(sha256)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
  }
}
