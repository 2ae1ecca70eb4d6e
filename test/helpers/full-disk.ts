// A full disk for real: the disk-full tests (SQLite's and PostgreSQL's) mount a small tmpfs and fill it.
import { closeSync, openSync, writeSync } from "node:fs";

/** Mounting a tmpfs needs root: the tests that do are skipped otherwise (CI runs as root). */
export const isRoot = process.getuid?.() === 0;

/** Writes until the file system says ENOSPC (big chunks, then small ones for the last bytes); removing the file frees the space. */
export function fillDisk(path: string): void {
  const fd = openSync(path, "w");
  try {
    for (const size of [64 * 1024, 512]) {
      const chunk = Buffer.alloc(size, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOSPC") throw err;
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Sends through `send`, keeping the contents the server acknowledged: each of them must be stored afterwards. */
export function keptSends<T extends { ok: boolean }>(send: (content: string) => Promise<T>): { acked: string[]; sendKept(content: string): Promise<T> } {
  const acked: string[] = [];
  return {
    acked,
    async sendKept(content) {
      const res = await send(content);
      if (res.ok) acked.push(content);
      return res;
    },
  };
}
