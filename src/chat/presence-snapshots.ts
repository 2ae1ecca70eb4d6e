// One node's presence across its own restart (issue 19). Without it the new process knows nobody, so every one of
// 10,000 returning people arrives as new: a "has joined" notice and a presence delta to each of the 99 others in
// its room, a million events. With it, the names present before the restart are held for their owners for
// RESTORE_GRACE_MS after the start (the snapshot itself may be up to PRESENCE_SNAPSHOT_MAX_AGE_MS old), as after a
// reload: an owner who comes back takes its name back silently, and only the names nobody came back for are
// announced as gone when their grace ends. That grace is longer than a reload's (NAME_GRACE_MS), because everyone
// comes back at once: a node taking 10,000 people back took 30 s for half of them and 116 s for the last on 2 cores,
// and with the reload's 15 s the rest were announced as leaving and then as arriving again.
//
// What it keeps: every browser session's name per room, by session key (never the cookie). Written every
// PRESENCE_SNAPSHOT_MS when presence changed (so a SIGKILL loses at most that much), and once more when a
// graceful shutdown starts. Several nodes do not need it: Redis keeps presence while a node restarts.
import type { Clock } from "../clock.js";
import type { Logger } from "../log.js";
import type { PresenceSnapshotStore } from "../storage/repository.js";
import type { NameGrace } from "./name-grace.js";
import type { PresenceSnapshots } from "./presence.js";

export interface SnapshotDeps {
  presence: PresenceSnapshots;
  store: PresenceSnapshotStore;
  grace: NameGrace;
  clock: Clock;
  log: Logger;
  graceMs: number;
  /** How long restored names are held for their owners (at least graceMs). */
  restoreGraceMs: number;
  /** The oldest snapshot still restored (the time the server was down, start-up included). */
  maxAgeMs: number;
  /** How often a changed presence is written down; 0 turns snapshots off. */
  intervalMs: number;
}

export interface SnapshotKeeper {
  /** Resolves once the last snapshot (if recent enough) is restored: no connection may be let in before. */
  restored: Promise<void>;
  /** Writes the presence down now (a graceful shutdown, before its sockets go). */
  saveNow(): Promise<void>;
  stop(): void;
}

export function keepPresenceSnapshots(deps: SnapshotDeps): SnapshotKeeper {
  const restored = deps.intervalMs === 0 || deps.graceMs === 0 ? Promise.resolve() : restore(deps);
  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    saving = saving
      .then(async () => {
        const entries = deps.presence.snapshot();
        await deps.store.savePresence(entries, deps.clock.now());
        deps.log.debug("presence_snapshot_saved", { names: entries.length });
      })
      .catch((err: unknown) => deps.log.warn("presence_snapshot_failed", { err: (err as Error).message }));
    return saving;
  };
  const timer =
    deps.intervalMs > 0
      ? setInterval(() => {
          if (deps.presence.isDirty()) void save();
        }, deps.intervalMs)
      : null;
  timer?.unref();
  return {
    restored,
    saveNow: () => (deps.intervalMs > 0 ? restored.then(save) : Promise.resolve()),
    stop: () => {
      if (timer !== null) clearInterval(timer);
    },
  };
}

/**
 * The last snapshot's names, held for their owners for RESTORE_GRACE_MS from now (nobody could come back while the
 * server was down or starting, so the grace counts from here); nothing when the snapshot is older than maxAgeMs.
 * It used to be dropped once older than one grace, so a start slower than NAME_GRACE_MS (33 s was seen on a
 * loaded host) announced every returning person again.
 */
async function restore(deps: SnapshotDeps): Promise<void> {
  try {
    const last = await deps.store.loadPresence();
    if (last === null) return;
    const ageMs = deps.clock.now().getTime() - last.savedAt.getTime();
    if (ageMs > deps.maxAgeMs) {
      deps.log.info("presence_snapshot_stale", { ageMs, entries: last.entries.length });
      return;
    }
    const held = deps.presence.restore(last.entries);
    const graceMs = Math.max(deps.graceMs, deps.restoreGraceMs);
    for (const h of held) deps.grace.start(h.room, h.name, h.hold, graceMs);
    deps.log.info("presence_restored", { names: held.length, ageMs, graceMs });
  } catch (err) {
    // Presence is a courtesy here: without it the room hears arrivals again, nothing is lost.
    deps.log.warn("presence_restore_failed", { err: (err as Error).message });
  }
}
