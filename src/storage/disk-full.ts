// Whether the database's disk is full, for /healthz. A send that failed with SQLITE_FULL marks it; only room on
// the file system clears it. Not a later small write: after SQLITE_FULL the failed connection is closed, which
// folds and deletes its WAL, so the health probe's write and even a few sends succeed on the space that freed
// (86 KB on a 4 MiB disk, measured) and the next ones fail again. Clearing on those would make /healthz flap
// 200/503 while a load balancer keeps sending people to a node that cannot keep their messages.
import { statfsSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "../log.js";

export const DEFAULT_FULL_RESUME_BYTES = 64 * 1024 * 1024;

/** SQLite's code for a write that found no room: the disk (ENOSPC) or a page limit. */
const isFullError = (code: string): boolean => code === "SQLITE_FULL";

interface Room {
  freeBytes: number;
  sizeBytes: number;
}

export class DiskFullWatch {
  private isMarked = false;

  constructor(
    /** The database file; its folder's file system is the one measured. ":memory:" is never marked. */
    private readonly path: string,
    /** Free bytes the file system must have again before the mark is cleared (or a tenth of its size, if less). */
    private readonly resumeBytes: number,
    private readonly log: Logger,
  ) {}

  /**
   * A write failed with `code`: a full disk marks the store until there is room again. SQLITE_FULL with room on
   * the disk (a file-size limit, a page limit) is not a full disk: the usual write probe decides then.
   */
  noteFailure(code: string): void {
    if (this.isMarked || !isFullError(code) || this.path === ":memory:") return;
    const room = this.room();
    if (this.hasRoom(room)) return;
    this.isMarked = true;
    // A warning: the failed write itself is already logged as db_write_failed.
    this.log.warn("db_disk_full", { freeBytes: room?.freeBytes ?? null });
  }

  /** Marked full and still short of room. Looks at the file system (one statfs) only while marked. */
  isFull(): boolean {
    if (!this.isMarked) return false;
    const room = this.room();
    if (!this.hasRoom(room)) return true;
    this.isMarked = false;
    this.log.info("db_disk_room_again", { freeBytes: room?.freeBytes ?? null });
    return false;
  }

  /** A tenth of the file system at most, so a volume smaller than resumeBytes can still come back. */
  private hasRoom(room: Room | null): boolean {
    return room !== null && room.freeBytes >= Math.min(this.resumeBytes, room.sizeBytes / 10);
  }

  /** Bytes an unprivileged writer may still use there, and the file system's size; null when it cannot be measured (gone). */
  private room(): Room | null {
    try {
      const s = statfsSync(dirname(this.path));
      return { freeBytes: s.bavail * s.bsize, sizeBytes: s.blocks * s.bsize };
    } catch {
      return null;
    }
  }
}
