// `mkdir -p` one folder at a time. Node's mkdirSync({ recursive: true }) never returns for a path under /proc
// (FILES_PATH=/proc/nope hung start-up silently): libuv reads the ENOENT of /proc/nope as "the parent is
// missing", makes /proc (EEXIST) and tries again, forever. Made one by one, a folder that cannot be made throws.
import { mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** Makes `path` and any missing parents; throws the first mkdir's error (ENOENT, EACCES, ENOTDIR ...). */
export function makeFolders(path: string): void {
  const missing: string[] = [];
  for (let folder = resolve(path); !exists(folder); folder = dirname(folder)) {
    missing.unshift(folder);
    if (dirname(folder) === folder) break; // the root itself is missing: mkdirSync below says so
  }
  for (const folder of missing) mkdirSync(folder);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw err; // EACCES, ENOTDIR ...: mkdir would fail the same way; say so now
  }
}
