// PostgreSQL's disk is full (SQLSTATE 53100): chat_message and its indexes live in a tablespace on a 4 MiB tmpfs
// that a filler file fills, while PostgreSQL's WAL and catalog stay on the normal disk (a WAL that cannot be
// written would PANIC the server). A send refused for want of space answers storage_unavailable, and the
// node's /healthz says 503 `full` from then on, although PostgreSQL still answers the health check's SELECT and a
// small send may still fit, until a probe's insert finds room again; then it says 200 by itself. Nothing acked
// is lost. This file starts a PostgreSQL of its own: the tablespace must not outlive it. Needs root (mount), as
// test/faults.disk-full.test.ts does; skipped otherwise. The mark's own rules (which SQLSTATEs set it, the probe's
// interval) are checked on the suite's PostgreSQL, without root.
import { randomBytes } from "node:crypto";
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import type { HealthAnswer } from "../../src/http-api.js";
import type { Ack, SendResult } from "../../src/protocol.js";
import { connectTo, startChildServer, type ChildServer } from "../helpers/child-server.js";
import { CLUSTER_TEST_ENV } from "../helpers/cluster.js";
import { startPostgres } from "../helpers/postgres.js";
import type { ClientSocket } from "../helpers/app.js";
import { createCapturingLogger } from "../../src/log.js";
import { PostgresDiskFullWatch } from "../../src/storage/postgres-disk-full.js";
import { StorageUnavailableError } from "../../src/storage/repository.js";
import { migratePostgres } from "../../src/storage/postgres-migrations.js";
import { clusterDatabase } from "./pg.js";
import { fillDisk, isRoot, keptSends } from "../helpers/full-disk.js";
import { freePort } from "../helpers/free-port.js";

/** The postgres system user's uid and gid, which must own a tablespace's folder. */
function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string): number => Number(spawnSync("id", [flag, "postgres"], { encoding: "utf8" }).stdout.trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** chat_message and every index of it moved into a tablespace at `location`. */
async function moveMessagesTo(client: pg.Client, location: string): Promise<void> {
  await client.query(`CREATE TABLESPACE small_disk LOCATION '${location}'`);
  await client.query("ALTER TABLE chat_message SET TABLESPACE small_disk");
  const { rows } = await client.query<{ name: string }>("SELECT indexrelid::regclass::text AS name FROM pg_index WHERE indrelid = 'chat_message'::regclass");
  for (const { name } of rows) await client.query(`ALTER INDEX ${name} SET TABLESPACE small_disk`);
}

interface Health {
  status: number;
  body: HealthAnswer;
}

async function health(server: ChildServer): Promise<Health> {
  const res = await fetch(`${server.url}/healthz`);
  return { status: res.status, body: (await res.json()) as HealthAnswer };
}

const fullGauge = async (server: ChildServer): Promise<string | undefined> =>
  (await (await fetch(`${server.url}/metrics`)).text()).split("\n").find((l) => l.startsWith("mr_db_full "));

const send = (socket: ClientSocket, content: string): Promise<Ack<SendResult>> => socket.timeout(10_000).emitWithAck("send_message", { room: "general", username: "alice", content });

describe("PostgreSQL's disk is full", () => {
  it.skipIf(!isRoot)("/healthz says 503 full from a send refused with 53100, while PostgreSQL still answers its SELECT, until a probe's insert finds room; then 200 by itself; unavailable while PostgreSQL is stopped, full again once it is back on the full disk; nothing acked is lost", async () => {
    const disk = mkdtempSync(join(tmpdir(), "mr-pgfull-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", disk]);
    const postgres = await startPostgres().catch((err: unknown) => {
      execFileSync("umount", ["-l", disk]);
      throw err;
    });
    let server: ChildServer | null = null;
    // One cleanup, in this order: the node, then PostgreSQL (it holds the tablespace's files open), then the disk.
    onTestFinished(async () => {
      await server?.stop();
      await postgres.remove();
      execFileSync("umount", ["-l", disk]);
      rmSync(disk, { recursive: true, force: true });
    });
    const location = join(disk, "tablespace");
    mkdirSync(location, { mode: 0o700 });
    const { uid, gid } = postgresIds();
    chownSync(location, uid, gid);

    const url = await postgres.createDatabase("disk_full");
    // HEALTH_PROBE_INTERVAL_MS=0: every /healthz runs the probe, so its insert failing is what keeps the answer at
    // 503. CLUSTER_TEST_ENV lifts the send rate limit: the fill loop sends as fast as acks come back.
    server = await startChildServer({ databasePath: join(tmpdir(), `mr-pgfull-unused-${process.pid}.db`), env: { ...CLUSTER_TEST_ENV, DATABASE_URL: url, HEALTH_PROBE_INTERVAL_MS: "0" } });
    let admin = new pg.Client({ connectionString: url });
    await admin.connect();
    onTestFinished(() => admin.end().catch(() => undefined)); // PostgreSQL may be gone first
    await moveMessagesTo(admin, location); // the node migrated the schema at start; it holds no lock while idle
    const moved = await admin.query<{ relname: string }>("SELECT relname FROM pg_class c JOIN pg_tablespace t ON t.oid = c.reltablespace WHERE t.spcname = 'small_disk' ORDER BY relname");
    expect(moved.rows.map((r) => r.relname)).toEqual(expect.arrayContaining(["chat_message", "ix_chat_message_room_id", "ix_chat_message_search"]));

    const alice = await connectTo(server.url);
    onTestFinished(() => void alice.disconnect());
    expect(await alice.timeout(10_000).emitWithAck("join_chat", { room: "general", username: "alice" })).toMatchObject({ ok: true });
    const { acked, sendKept } = keptSends((content) => send(alice, content));
    expect(await sendKept("before")).toMatchObject({ ok: true });
    expect(await health(server)).toMatchObject({ status: 200, body: { engines: { database: "ok" } } });
    expect(await fullGauge(server)).toBe("mr_db_full 0");

    fillDisk(join(disk, "filler"));
    // The table's pages still have room for a few rows: send until PostgreSQL must grow it and cannot.
    let refused: Ack<SendResult> | null = null;
    for (let i = 0; i < 500 && refused === null; i++) {
      const res = await sendKept(randomBytes(200).toString("hex"));
      if (!res.ok) refused = res;
    }
    expect(refused).toMatchObject({ ok: false, error: { code: "storage_unavailable" } });
    expect(await server.waitForLog((l) => l.event === "db_write_failed")).toMatchObject({ code: "53100" });

    // Was 200: PostgreSQL still answers the health check's SELECT on a full disk.
    const full = { status: 503, body: { status: "unavailable", engines: { database: "full" }, reason: "the database's disk is full" } };
    expect(await health(server)).toMatchObject(full);
    expect(await health(server)).toMatchObject(full);
    // A short send may fit in what the pages have left; stored or refused, the node stays out of rotation.
    await sendKept("squeezed in");
    expect(await health(server)).toMatchObject(full);
    expect(await fullGauge(server)).toBe("mr_db_full 1");

    // PostgreSQL stops while marked: the probe's connection is refused, which proves nothing about the disk. Was
    // `full` (the mark alone decided): the operator would look for space on a database that is not running.
    await admin.end(); // its connection would die with the server, as an uncaught error
    await postgres.stop();
    const down = { status: 503, body: { status: "unavailable", engines: { database: "unavailable" }, reason: "the database cannot take writes" } };
    expect(await health(server)).toMatchObject(down);
    expect(await fullGauge(server)).toBe("mr_db_full 0");
    // Back with the disk still full: the mark stayed, so the SELECT that now passes does not make it 200; the
    // first probe on a fresh connection fails with 53100 again. (A probe may first meet a connection the restart
    // broke: each /healthz runs one, so ask until one reaches the server.)
    await postgres.start();
    admin = new pg.Client({ connectionString: url });
    await admin.connect();
    let back = await health(server);
    for (let i = 0; i < 20 && back.body.engines.database === "unavailable"; i++) back = await health(server);
    expect(back).toMatchObject(full);
    expect(await fullGauge(server)).toBe("mr_db_full 1");
    expect(server.logs.map((l) => l.event)).not.toContain("db_disk_room_again");

    rmSync(join(disk, "filler"));
    // Nothing has asked /healthz since: a scrape starts the probe itself, so the gauge comes back without it.
    await fullGauge(server);
    await server.waitForLog((l) => l.event === "db_disk_room_again");
    expect(await fullGauge(server)).toBe("mr_db_full 0");
    expect(await health(server)).toMatchObject({ status: 200, body: { status: "ok", engines: { database: "ok" } } });
    expect(await sendKept("after")).toMatchObject({ ok: true });
    const stored = await admin.query<{ content: string }>("SELECT content FROM chat_message WHERE chat_room = 'general' ORDER BY id");
    expect(stored.rows.map((r) => r.content)).toEqual(acked);
    const events = server.logs.map((l) => l.event);
    expect(events).toContain("db_disk_full");
    expect(events.indexOf("db_disk_room_again")).toBeGreaterThan(events.indexOf("db_disk_full"));
  });
});

/** A PostgreSQL error as node-postgres gives it: the SQLSTATE in `code`. */
const pgError = (code: string): Error => Object.assign(new Error(`sqlstate ${code}`), { code });

describe("the PostgreSQL full-disk mark", () => {
  it("is set by disk_full (53100), also behind StorageUnavailableError, and by nothing else of class 53; a probe on a roomy disk clears it once, then waits out its interval", async () => {
    const pool = new pg.Pool({ connectionString: await clusterDatabase(), max: 2 });
    onTestFinished(() => pool.end());
    const client = await pool.connect();
    await migratePostgres(client).finally(() => client.release());
    const log = createCapturingLogger();
    const watch = new PostgresDiskFullWatch(pool, 60_000, log);

    // Out of memory, too many connections, a configuration limit: they pass by themselves, as `unavailable`.
    for (const code of ["53000", "53200", "53300", "53400", "57P01", "08006"]) watch.noteFailure(pgError(code));
    watch.noteFailure(new Error("no code"));
    expect(watch.isFull()).toBe(false);
    expect(await watch.hasRoomAgain()).toBe(true);
    expect(log.lines.map((l) => l.event)).toEqual([]);

    watch.noteFailure(new StorageUnavailableError("the database cannot be written", { cause: pgError("53100") }));
    expect(watch.isFull()).toBe(true);
    expect(await watch.hasRoomAgain()).toBe(true); // the probe's rows went in (and were rolled back)
    expect(watch.isFull()).toBe(false);
    expect((await pool.query<{ n: string }>("SELECT count(*) AS n FROM chat_message")).rows[0]?.n).toBe("0");

    watch.noteFailure(pgError("53100"));
    expect(await watch.hasRoomAgain()).toBe(false); // within the interval: no second probe
    expect(watch.isFull()).toBe(true);
    expect(log.lines.map((l) => l.event).filter((e) => e !== "db_full_probe")).toEqual(["db_disk_full", "db_disk_room_again", "db_disk_full"]);
  });

  it("answers not full (so unavailable) after a probe fails for another reason than 53100, keeps the mark, and answers full again on the next 53100", async () => {
    // Nothing listens on the port: every probe's connection is refused.
    const refused = new pg.Pool({ connectionString: `postgres://nobody@127.0.0.1:${await freePort()}/none`, connectionTimeoutMillis: 2000 });
    onTestFinished(() => refused.end());
    const log = createCapturingLogger();
    const watch = new PostgresDiskFullWatch(refused, 0, log);

    watch.noteFailure(pgError("53100"));
    expect(await watch.hasRoomAgain()).toBe(false); // refused: no proof of room
    expect(watch.isFull()).toBe(false); // was true: the mark alone answered
    expect(log.lines.find((l) => l.event === "db_full_probe")).toMatchObject({ ok: false, code: "ECONNREFUSED" });
    // The mark stayed: a write refused with 53100 (the server back, its disk still full) says full at once.
    watch.noteFailure(pgError("53100"));
    expect(watch.isFull()).toBe(true);
    expect(await watch.hasRoomAgain()).toBe(false);
    expect(log.lines.map((l) => l.event).filter((e) => e !== "db_full_probe")).toEqual(["db_disk_full"]);
  });
});
