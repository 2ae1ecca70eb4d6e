// A misspelt setting is ignored by loadConfig: the start-up log names it once, with the setting it was near.
// `npm test` builds first; run `npm run build` before this file alone (the last test starts dist/server.js).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { loadConfig } from "../src/config.js";
import { editDistance, misspeltVariables, notingReads } from "../src/misspelt-variables.js";
import { startChildServer } from "./helpers/child-server.js";

/** The settings' names as the server lists them: what loadConfig reads. */
function settingsRead(): Set<string> {
  const read = new Set<string>();
  loadConfig(notingReads({}, read));
  return read;
}

/** Variables a shell, npm, systemd or libpq puts in the environment: none is ours, none may be warned of. */
const FOREIGN = ["PATH", "HOME", "USER", "SHELL", "PWD", "OLDPWD", "LANG", "LANGUAGE", "TERM", "HOSTNAME", "LOGNAME", "EDITOR", "TMPDIR", "NODE_OPTIONS", "NODE_PATH", "NODE_EXTRA_CA_CERTS", "UV_THREADPOOL_SIZE", "npm_config_cache", "npm_lifecycle_event", "npm_package_name", "npm_node_execpath", "INIT_CWD", "XDG_RUNTIME_DIR", "SSH_AUTH_SOCK", "INVOCATION_ID", "JOURNAL_STREAM", "SYSTEMD_EXEC_PID", "CREDENTIALS_DIRECTORY", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "COLORTERM", "FORCE_COLOR", "NO_COLOR"];

describe("misspelt variables", () => {
  it("lists every setting of .env.example by reading them, so no second list is kept", () => {
    const example = readFileSync(fileURLToPath(new URL("../.env.example", import.meta.url)), "utf8");
    const documented = [...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string);
    const read = settingsRead();
    expect(documented.length).toBeGreaterThan(80);
    expect(documented.filter((name) => !read.has(name))).toEqual([]);
  });

  it("counts a swap, a dropped, doubled or wrong letter as one edit", () => {
    expect(editDistance("HISTROY_LIMIT", "HISTORY_LIMIT")).toBe(1);
    expect(editDistance("HISTORY_LIMT", "HISTORY_LIMIT")).toBe(1);
    expect(editDistance("HISTORY_LIMMIT", "HISTORY_LIMIT")).toBe(1);
    expect(editDistance("HISTORI_LIMIT", "HISTORY_LIMIT")).toBe(1);
    expect(editDistance("HSTORY_LIMTI", "HISTORY_LIMIT")).toBe(2);
    expect(editDistance("HISTORY", "HISTORY_LIMIT")).toBeGreaterThan(2);
  });

  it("names a near miss with the setting it was near, in any case, and never a setting itself", () => {
    const found = misspeltVariables(["HISTROY_LIMIT", "history_limit", "SHUTDOWN_TIMEOUT_MS", "RATE_SEND_PER_SECS", "DATABSE_PATH"], settingsRead());
    expect(found).toEqual([
      { name: "DATABSE_PATH", meant: "DATABASE_PATH" },
      { name: "HISTROY_LIMIT", meant: "HISTORY_LIMIT" },
      { name: "RATE_SEND_PER_SECS", meant: "RATE_SEND_PER_SEC" },
      { name: "history_limit", meant: "HISTORY_LIMIT" },
    ]);
  });

  it("leaves alone what a shell, npm, systemd or libpq sets, and names far from ours", () => {
    expect(misspeltVariables([...FOREIGN, "MY_APP_SECRET", "HISTORY"], settingsRead())).toEqual([]);
  });

  it("the server warns once per misspelt variable at start, config_unknown_variable with the name and the setting meant", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mr-misspelt-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const server = await startChildServer({ databasePath: join(dir, "chat.db"), env: { HISTROY_LIMIT: "50", npm_config_cache: "/tmp/npm", PGPORT: "5432", HOME: dir } });
    onTestFinished(server.stop);
    const warned = server.logs.filter((l) => l.event === "config_unknown_variable");
    expect(warned).toEqual([expect.objectContaining({ level: "warn", name: "HISTROY_LIMIT", hint: expect.stringContaining("did you mean HISTORY_LIMIT") })]);
  });
});
