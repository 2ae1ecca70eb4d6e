// Whether PostgreSQL's disk is full, for /healthz: the PostgreSQL side of disk-full.ts. A write refused with
// SQLSTATE 53100 (disk_full: ENOSPC while extending a table, an index or a temporary file) marks it. The node
// cannot statfs the database server's disk, so only a probe clears the mark: a real insert of about 64 KB of
// rows into chat_message, rolled back. Not the health check's SELECT, and not the next small write that
// succeeds: a message or two still fit in the free space of pages the table already has, while a table that
// must grow cannot; clearing on those would make /healthz flap 200/503 while a load balancer keeps sending
// people to a node that cannot keep their messages. The probe's rows fill several new pages (more than any one
// page's free space), so it succeeds only once the table can grow again, or has that much room inside it.
// The rest of class 53 is not a full disk: out of memory (53200), too many connections (53300) and
// configuration limits (53400) clear by themselves and answer `unavailable` as any other failure does.
// A probe that fails for another reason (the server refuses connections, is shutting down, a timeout) proves
// nothing about the disk: the mark stays, but the answer is `unavailable` until a probe or a write fails with
// 53100 again (`full`) or a probe goes in (cleared). Saying `full` then would send the operator to free space
// on a database that is not running.
import type pg from "pg";
import type { Logger } from "../log.js";

/** PostgreSQL's SQLSTATE for a write that found no room on its disk. */
export const PG_DISK_FULL = "53100";

const PROBE_ROWS = 32;
/**
 * PROBE_ROWS rows of about 1.8 KB each (896 hex digits of content, and its search_vector as long): under
 * TOAST's 2 KB threshold, so stored as they are, neither compressed nor moved out. Negative ids, never a
 * message's, from this backend's pid: probes of several nodes never wait for each other's rows. Never
 * committed: no message, id or sequence value is used up.
 */
const SQL_PROBE = `INSERT INTO chat_message (id, chat_room, sender, content, timestamp)
  SELECT -(pg_backend_pid()::bigint * 1000 + g), '', '', (SELECT string_agg(md5(g || ':' || i), '') FROM generate_series(1, 28) AS i), ''
  FROM generate_series(1, ${PROBE_ROWS}) AS g`;

/** The SQLSTATE of a failure, or of the failure behind it (StorageUnavailableError's cause). */
function sqlState(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause === undefined ? "" : sqlState(cause);
}

export class PostgresDiskFullWatch {
  private isMarked = false;
  /** While marked: whether the newest failure (the marking write's, a later write's or a probe's) was 53100. */
  private isFullLastSeen = false;
  private lastProbeAt = -Infinity;
  private probe: Promise<boolean> | null = null;

  constructor(
    private readonly pool: pg.Pool,
    /** At most one probe per interval (HEALTH_PROBE_INTERVAL_MS); askers in between hear "no room yet". */
    private readonly probeIntervalMs: number,
    private readonly log: Logger,
  ) {}

  /** A write failed with `err`: disk_full marks the store until a probe finds room. */
  noteFailure(err: unknown): void {
    if (sqlState(err) !== PG_DISK_FULL) return;
    this.isFullLastSeen = true;
    if (this.isMarked) return;
    this.isMarked = true;
    // A warning: the failed write itself is already logged as db_write_failed.
    this.log.warn("db_disk_full", { code: PG_DISK_FULL });
  }

  /**
   * Marked full, no probe has found room since, and the newest failure was 53100 (after one for another reason:
   * false, the store is unavailable rather than full). While marked it also starts a probe when one is due,
   * without waiting for it: /metrics alone (mr_db_full) then comes back to 0 once there is room, even if nothing
   * asks /healthz, one scrape later.
   */
  isFull(): boolean {
    if (this.isMarked) void this.hasRoomAgain();
    return this.isMarked && this.isFullLastSeen;
  }

  /**
   * While marked: whether the table can take rows again, by the probe; it clears the mark when it can. Callers
   * during a probe share it; a probe within probeIntervalMs of the last one is not run (false).
   */
  hasRoomAgain(): Promise<boolean> {
    if (!this.isMarked) return Promise.resolve(true);
    if (this.probe !== null) return this.probe;
    if (performance.now() - this.lastProbeAt < this.probeIntervalMs) return Promise.resolve(false);
    this.lastProbeAt = performance.now();
    this.probe = this.probeInsert().finally(() => (this.probe = null));
    return this.probe;
  }

  private async probeInsert(): Promise<boolean> {
    const started = performance.now();
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      this.noteProbeFailure(err, performance.now() - started);
      return false; // no answer is no proof of room: the mark stays
    }
    let broken: Error | undefined;
    try {
      await client.query("BEGIN");
      await client.query(SQL_PROBE);
      await client.query("ROLLBACK");
    } catch (err) {
      broken = err instanceof Error ? err : new Error(String(err));
      await client.query("ROLLBACK").catch(() => undefined);
    } finally {
      client.release(broken); // a failed connection is discarded, as the repository's own are
    }
    if (broken !== undefined) {
      this.noteProbeFailure(broken, performance.now() - started);
      return false;
    }
    const ms = Math.round(performance.now() - started);
    this.log.debug("db_full_probe", { ok: true, ms, code: null });
    this.isMarked = false;
    this.isFullLastSeen = false;
    this.log.info("db_disk_room_again", { ms });
    return true;
  }

  /** The probe failed: 53100 says full; anything else says unavailable, and leaves the mark for a later probe. */
  private noteProbeFailure(err: unknown, elapsedMs: number): void {
    const code = sqlState(err);
    this.isFullLastSeen = code === PG_DISK_FULL;
    this.log.debug("db_full_probe", { ok: false, ms: Math.round(elapsedMs), code });
  }
}
