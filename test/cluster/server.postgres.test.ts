// The built server (dist/server.js) on PostgreSQL: DATABASE_URL selects the store; wrong credentials and a
// missing database end start-up with one line and exit 1; acknowledged messages live in PostgreSQL.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { connectTo, spawnChildServer, startChildServer, type ChildServerOptions } from "../helpers/child-server.js";
import { pgMigrations } from "../../src/storage/postgres-migrations.js";
import { PG_PASSWORD } from "../helpers/postgres.js";
import { clusterDatabase } from "./pg.js";

let url = "";
beforeAll(async () => {
  url = await clusterDatabase();
});

function serverOptions(env: Record<string, string>): ChildServerOptions {
  const dir = mkdtempSync(join(tmpdir(), "mr-pgserver-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return { databasePath: join(dir, "must-not-exist.db"), cwd: dir, env };
}

function withUrl(change: (u: URL) => void): string {
  const u = new URL(url);
  change(u);
  return u.toString();
}

describe("node dist/server.js with DATABASE_URL", () => {
  it("stores acknowledged messages in PostgreSQL, not in SQLite, and logs the URL without its password", async () => {
    const opts = serverOptions({ DATABASE_URL: url });
    const server = await startChildServer(opts);
    onTestFinished(server.stop);
    expect(server.logs.find((l) => l.event === "listening")).toMatchObject({ database: expect.stringContaining(":***@127.0.0.1") });
    expect(server.stdout()).not.toContain(PG_PASSWORD);

    const alice = await connectTo(server.url);
    onTestFinished(() => void alice.disconnect());
    expect(await alice.timeout(5000).emitWithAck("join_chat", { room: "pg-room", username: "alice" })).toMatchObject({ ok: true });
    const sent = await alice.timeout(5000).emitWithAck("send_message", { room: "pg-room", username: "alice", content: "stored in postgres" });
    expect(sent).toMatchObject({ ok: true, message: { id: expect.any(Number), content: "stored in postgres" } });

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    onTestFinished(() => client.end());
    const { rows } = await client.query("SELECT id, sender, content FROM chat_message WHERE chat_room = 'pg-room'");
    expect(rows).toEqual([{ id: String(sent.ok && sent.message.id), sender: "alice", content: "stored in postgres" }]);
    expect((await client.query("SELECT version FROM schema_migrations ORDER BY version")).rows).toEqual(pgMigrations.map((m) => ({ version: m.version })));
    expect(existsSync(opts.databasePath)).toBe(false);

    server.proc.kill("SIGTERM");
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stderr()).toBe("");
  });

  it("with a wrong password: exits 1 with one line naming the user, never the password", async () => {
    const server = await spawnChildServer(serverOptions({ DATABASE_URL: withUrl((u) => (u.password = "not-the-password")) }));
    onTestFinished(server.stop);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    const { port } = new URL(url);
    expect(server.stderr()).toBe(
      `cannot connect to PostgreSQL (DATABASE_URL): authentication failed for user "postgres" at 127.0.0.1:${port}: check the user and password in DATABASE_URL\n`,
    );
  });

  it("with a database that does not exist: exits 1 with one line naming it", async () => {
    const server = await spawnChildServer(serverOptions({ DATABASE_URL: withUrl((u) => (u.pathname = "/no_such_db")) }));
    onTestFinished(server.stop);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    const { port } = new URL(url);
    expect(server.stderr()).toBe(`cannot connect to PostgreSQL (DATABASE_URL): database "no_such_db" does not exist at 127.0.0.1:${port}\n`);
  });
});
