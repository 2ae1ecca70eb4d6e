// PostgreSQL migrations are numbered apart on parallel branches (search 2, edits 3, mentions 4) and merged
// in any order: a database must get every step it has not recorded, not only those above the highest.
import pg from "pg";
import { describe, expect, it, onTestFinished } from "vitest";
import { migratePostgres, pgMigrations, PG_LATEST_VERSION } from "../../src/storage/postgres-migrations.js";
import { nameKey } from "../../src/shared/names.js";
import { SQL_LATEST_MOVES } from "../../src/storage/postgres-append.js";
import { SQL_DIRECT_MEMBERS_FROM_PG } from "../../src/storage/sqlite-access.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  onTestFinished(() => client.end());
  return client;
}

const columns = async (client: pg.Client): Promise<string[]> =>
  (await client.query<{ column_name: string }>("SELECT column_name FROM information_schema.columns WHERE table_name = 'chat_message'")).rows.map((r) => r.column_name);

describe("migratePostgres", () => {
  it("records every step once and is idempotent", async () => {
    const client = await connect(await clusterDatabase());
    expect(await migratePostgres(client)).toBe(PG_LATEST_VERSION);
    expect(await migratePostgres(client)).toBe(PG_LATEST_VERSION);
    const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).toEqual(pgMigrations.map((m) => m.version));
    expect(await columns(client)).toContain("mentions");
  });

  it("runs a step that is not recorded even when a higher one is (another branch's step merged later)", async () => {
    const client = await connect(await clusterDatabase());
    await migratePostgres(client);
    // As if this database had been migrated by a build that had a later step but not the mentions one.
    await client.query("ALTER TABLE chat_message DROP COLUMN mentions");
    await client.query("DELETE FROM schema_migrations WHERE version = 4");
    await client.query("INSERT INTO schema_migrations (version) VALUES ($1)", [PG_LATEST_VERSION + 1]);
    await migratePostgres(client);
    expect(await columns(client)).toContain("mentions");
    const { rows } = await client.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.version)).toEqual([...pgMigrations.map((m) => m.version), PG_LATEST_VERSION + 1]);
  });

  it("fills the sender name key of rows written before version 5 with the app's nameKey", async () => {
    const client = await connect(await clusterDatabase());
    await migratePostgres(client);
    await client.query(
      `INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES
       ('r', 'Ana', 'a', '2024-01-01 10:00:00'), ('r', '\u0430na', 'b', '2024-01-01 10:00:01'), ('r', NULL, 'c', '2024-01-01 10:00:02')`,
    );
    await client.query("DELETE FROM schema_migrations WHERE version = 5"); // as a database from before it
    await migratePostgres(client);
    const { rows } = await client.query<{ content: string; sender_key: string | null }>("SELECT content, sender_key FROM chat_message ORDER BY id");
    expect(rows).toEqual([
      { content: "a", sender_key: nameKey("Ana") },
      { content: "b", sender_key: nameKey("ana") },
      { content: "c", sender_key: null },
    ]);
  });

  it("version 11 puts every attached file under its message's room (a room moved before 2026-12-07 left them behind), not an unsent upload", async () => {
    const client = await connect(await clusterDatabase());
    await migratePostgres(client);
    const { rows: sent } = await client.query<{ id: string }>("INSERT INTO chat_message (chat_room, sender, content, timestamp, files) VALUES ('~moved', 'Ana', 'figures', '2026-12-01 10:00:00', 1) RETURNING id");
    const insert = "INSERT INTO chat_file (id, session_key, name, type, size, sha256, created_at, message_id, room, position) VALUES ($1, 'k', 'f.pdf', 'application/pdf', 10, 'ab', '2026-12-01T10:00:00Z', $2, $3, $4)";
    await client.query(insert, ["left-behind", sent[0]?.id, "general", 0]);
    await client.query(insert, ["unsent", null, null, null]);
    await client.query("DELETE FROM schema_migrations WHERE version = 11"); // as a database from before it
    await migratePostgres(client);
    const { rows } = await client.query<{ id: string; room: string | null }>("SELECT id, room FROM chat_file WHERE id IN ('left-behind', 'unsent') ORDER BY id");
    expect(rows).toEqual([
      { id: "left-behind", room: "~moved" },
      { id: "unsent", room: null },
    ]);
  });

  it("version 12 adds room_move, indexed by the room moved from, and runs again without a change (a send racing a move is refused)", async () => {
    const client = await connect(await clusterDatabase());
    await migratePostgres(client);
    const indexes = async (): Promise<string[]> =>
      (await client.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'room_move'")).rows.map((r) => r.indexdef);
    expect(await indexes()).toEqual(["CREATE INDEX ix_room_move_from ON public.room_move USING btree (from_room, moved_at)"]);
    await client.query("INSERT INTO room_move (from_room, to_room, moved_at) VALUES ('general', '~abc', '2026-12-08T10:00:00.000Z')");
    await client.query("DELETE FROM schema_migrations WHERE version = 12"); // as a database from before it, with the table there
    await migratePostgres(client);
    expect(await indexes()).toHaveLength(1);
    expect((await client.query("SELECT from_room, to_room, moved_at FROM room_move")).rows).toEqual([{ from_room: "general", to_room: "~abc", moved_at: "2026-12-08T10:00:00.000Z" }]);
    // The batch's lookup reads the index (sequential scans off, so an empty table's plan cannot hide it).
    await client.query("SET enable_seqscan = off");
    const plan = (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${SQL_LATEST_MOVES}`, [["general"]])).rows
      .map((r) => r["QUERY PLAN"])
      .join("\n");
    expect(plan).toMatch(/Index (Only )?Scan (using|on) ix_room_move_from/);
  });

  it("version 13 indexes room_record by origin_room: a ban's look-up of the conversations opened from a room, and a move's re-pointing of them, read the index", async () => {
    const client = await connect(await clusterDatabase());
    await migratePostgres(client);
    const indexes = async (): Promise<string[]> =>
      (await client.query<{ indexdef: string }>("SELECT indexdef FROM pg_indexes WHERE tablename = 'room_record' AND indexname = 'ix_room_record_origin'")).rows.map((r) => r.indexdef);
    expect(await indexes()).toEqual(["CREATE INDEX ix_room_record_origin ON public.room_record USING btree (origin_room)"]);
    await client.query("DELETE FROM schema_migrations WHERE version = 13"); // as a database from before it, with the index there
    await migratePostgres(client);
    expect(await indexes()).toHaveLength(1);
    // Sequential scans off, so an empty table's plan cannot hide it.
    await client.query("SET enable_seqscan = off");
    const planOf = async (sql: string, params: unknown[]): Promise<string> =>
      (await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params)).rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(await planOf(SQL_DIRECT_MEMBERS_FROM_PG, ["lobby"])).toMatch(/Index (Only )?Scan (using|on) ix_room_record_origin/);
    expect(await planOf("UPDATE room_record SET origin_room = $1 WHERE origin_room = $2", ["~new", "lobby"])).toMatch(/Index (Only )?Scan (using|on) ix_room_record_origin/);
  });

  it("version 14 adds room_ban.name and names the bans already there from their room's newest ban audit line; a ban with none keeps NULL", async () => {
    const client = await connect(await clusterDatabase());
    await migratePostgres(client);
    // As a database from before it: the column gone, the step not recorded, the name only in the audit.
    await client.query("ALTER TABLE room_ban DROP COLUMN name");
    await client.query("DELETE FROM schema_migrations WHERE version = 14");
    const ban = "INSERT INTO room_ban (room, name_key, until, moderator, created_at) VALUES ($1, $2, '2099-01-01T00:00:00.000Z', 'mod', '2025-06-01T12:00:00.000Z')";
    const audit = "INSERT INTO moderation_audit (at, moderator, action, room, target) VALUES ('2025-06-01T12:00:00.000Z', 'mod', $1, $2, $3)";
    await client.query(ban, ["lobby", nameKey("Mod")]);
    await client.query(audit, ["ban", "lobby", "MOD"]);
    await client.query(audit, ["kick", "lobby", "mod!"]);
    await client.query(audit, ["ban", "lobby", "Mod"]); // the newest spelling wins
    await client.query(ban, ["lobby", nameKey("Ana")]);
    await client.query(audit, ["ban", "elsewhere", "Ana"]);
    await client.query(ban, ["~moved", nameKey("Troll")]); // a room made private, no move recorded: its audit lines stayed under "general"
    await client.query(audit, ["ban", "general", "Troll"]);

    await migratePostgres(client);
    const { rows } = await client.query<{ room: string; name_key: string; name: string | null }>("SELECT room, name_key, name FROM room_ban ORDER BY id");
    expect(rows).toEqual([
      { room: "lobby", name_key: nameKey("Mod"), name: "Mod" },
      { room: "lobby", name_key: nameKey("Ana"), name: null },
      { room: "~moved", name_key: nameKey("Troll"), name: null },
    ]);
  });

  it("version 14 follows a room's recorded moves: a ban made in a room later made private is named from the old address's audit line", async () => {
    const client = await connect(await clusterDatabase());
    await migratePostgres(client);
    await client.query("ALTER TABLE room_ban DROP COLUMN name");
    await client.query("DELETE FROM schema_migrations WHERE version = 14");
    const ban = "INSERT INTO room_ban (room, name_key, until, moderator, created_at) VALUES ($1, $2, '2099-01-01T00:00:00.000Z', 'mod', $3)";
    const audit = "INSERT INTO moderation_audit (at, moderator, action, room, target) VALUES ($1, 'mod', $2, $3, $4)";
    // "r" made private as the app does it: the ban moved to "~xyz", its audit line stayed at "r", the move recorded.
    await client.query(ban, ["~xyz", nameKey("Troll"), "2025-06-01T12:00:00.000Z"]);
    await client.query(audit, ["2025-06-01T12:00:00.000Z", "ban", "r", "Troll"]);
    await client.query(audit, ["2025-06-01T13:00:00.000Z", "make_private", "r", null]);
    await client.query("INSERT INTO room_move (from_room, to_room, moved_at) VALUES ('r', '~xyz', '2025-06-01T13:00:00.000Z')");
    // The fresh public "r" afterwards bans a look-alike: named from its own later line, not the moved one.
    await client.query(ban, ["r", nameKey("TROLL"), "2025-06-01T14:00:00.000Z"]);
    await client.query(audit, ["2025-06-01T14:00:00.000Z", "ban", "r", "TROLL"]);

    await migratePostgres(client);
    const { rows } = await client.query<{ room: string; name_key: string; name: string | null }>("SELECT room, name_key, name FROM room_ban ORDER BY id");
    expect(rows).toEqual([
      { room: "~xyz", name_key: nameKey("Troll"), name: "Troll" },
      { room: "r", name_key: nameKey("TROLL"), name: "TROLL" },
    ]);
  });
});

describe("PostgresMessageRepository.open on a database that needs migrating", () => {
  // PG_STATEMENT_TIMEOUT_MS bounds a send; a schema step indexes or rewrites chat_message, which takes as long as
  // the table is big. Under the send's limit, a big database failed every start ("canceling statement due to
  // statement timeout") and could never be upgraded.
  it("completes a step that takes longer than PG_STATEMENT_TIMEOUT_MS", async () => {
    const url = await clusterDatabase();
    const client = await connect(url);
    await migratePostgres(client);
    await client.query(
      `INSERT INTO chat_message (chat_room, sender, content, timestamp)
       SELECT 'r' || (i % 20), 'user' || (i % 50), 'message ' || i, '2024-01-01 10:00:00' FROM generate_series(1, 100000) AS i`,
    );
    // As a database from before version 5: no sender keys, no index on them.
    await client.query("DROP INDEX ix_chat_message_room_sender");
    await client.query("UPDATE chat_message SET sender_key = NULL");
    await client.query("DELETE FROM schema_migrations WHERE version = 5");

    const repo = await openPostgresRepo(url, { statementTimeoutMs: 100 });
    onTestFinished(() => repo.close());
    const { rows } = await client.query<{ missing: string }>("SELECT count(*) AS missing FROM chat_message WHERE sender_key IS NULL");
    expect(rows[0]?.missing).toBe("0");
    const recorded = await client.query<{ n: string }>("SELECT count(*) AS n FROM schema_migrations WHERE version = 5");
    expect(recorded.rows[0]?.n).toBe("1");
  }, 60_000);
});
