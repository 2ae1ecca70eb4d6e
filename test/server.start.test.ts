// The real entry point (dist/server.js): the database in the working directory by default, /healthz, and a
// clean exit 0 on SIGTERM and SIGINT. `npm test` builds first; run `npm run build` before this file alone.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it, onTestFinished } from "vitest";
import { LATEST_VERSION } from "../src/storage/migrations.js";
import { spawnChildServer, startChildServer } from "./helpers/child-server.js";

function tempCwd(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-start-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("node dist/server.js", () => {
  it("creates chat_history.db in the working directory when DATABASE_PATH is unset, and serves /healthz", async () => {
    const cwd = tempCwd();
    const server = await startChildServer({ databasePath: join(cwd, "chat_history.db"), cwd, env: { DATABASE_PATH: undefined } });
    onTestFinished(server.stop);
    const listening = await server.waitForLog((l) => l.event === "listening");
    expect(listening).toMatchObject({ level: "info", url: server.url, database: "chat_history.db" });

    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", engines: { database: "ok" } }); // no NODE_ID: the machine's name stays off the public port
    expect(existsSync(join(cwd, "chat_history.db"))).toBe(true);
    const db = new Database(join(cwd, "chat_history.db"), { readonly: true });
    try {
      expect(db.pragma("user_version", { simple: true })).toBe(LATEST_VERSION);
    } finally {
      db.close();
    }
  });

  it.each([["SIGTERM"], ["SIGINT"]] as const)("exits 0 on %s after closing cleanly", async (signal) => {
    const cwd = tempCwd();
    const server = await startChildServer({ databasePath: join(cwd, "chat.db"), cwd });
    onTestFinished(server.stop);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    server.proc.kill(signal);
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.logs.map((l) => l.event)).toEqual(expect.arrayContaining(["shutdown_started", "shutdown_complete"]));
    expect(server.logs.find((l) => l.event === "shutdown_started")).toMatchObject({ signal });
    expect(server.stderr()).toBe("");
  });

  it("exits 1 with one line naming FILES_PATH when its folder cannot be made, and never listens", async () => {
    const cwd = tempCwd();
    writeFileSync(join(cwd, "a-file"), "not a folder");
    const server = await spawnChildServer({ databasePath: join(cwd, "chat.db"), cwd, env: { FILES_PATH: join(cwd, "a-file", "files") } });
    onTestFinished(server.stop);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    // Was node's ENOTDIR stack trace from inside createApp.
    expect(server.stderr()).toMatch(new RegExp(`^cannot use the files folder ${join(cwd, "a-file", "files")} \\(FILES_PATH\\): ENOTDIR: [^\n]*\n$`));
    expect(server.logs.map((l) => l.event)).not.toContain("listening");
  });
});
