// The full-disk mark behind /healthz's "full" (storage/disk-full.ts), on a real file system. The tmpfs that truly
// fills up is in faults.disk-full.test.ts; here, the SQLITE_FULL that a full disk did not cause.
import { statfsSync } from "node:fs";
import { describe, expect, it, onTestFinished } from "vitest";
import { createCapturingLogger } from "../src/log.js";
import { DiskFullWatch } from "../src/storage/disk-full.js";
import { tempDatabase } from "./helpers/app.js";

function watchOnRoomyDisk(): { watch: DiskFullWatch; events: () => (string | undefined)[] } {
  const db = tempDatabase();
  onTestFinished(db.remove);
  const s = statfsSync(db.dir);
  const log = createCapturingLogger();
  // Asks for less than the folder's file system has free (and than a tenth of it): that disk has room.
  const resumeBytes = Math.min(s.bavail * s.bsize, (s.blocks * s.bsize) / 10) / 2;
  return { watch: new DiskFullWatch(db.path, resumeBytes, log), events: () => log.lines.map((l) => l.event) };
}

describe("the full-disk mark", () => {
  it("does not take SQLITE_FULL for a full disk while the disk has room (a page or file-size limit): nothing marked, nothing logged", () => {
    const { watch, events } = watchOnRoomyDisk();
    watch.noteFailure("SQLITE_FULL");
    expect(watch.isFull()).toBe(false);
    expect(events()).toEqual([]);
  });

  it("is never set by other failures", () => {
    const { watch, events } = watchOnRoomyDisk();
    for (const code of ["SQLITE_IOERR_WRITE", "SQLITE_READONLY", "SQLITE_BUSY", ""]) watch.noteFailure(code);
    expect(watch.isFull()).toBe(false);
    expect(events()).toEqual([]);
  });
});
