// bench/migration-rebuild.ts is run by hand to measure the version 4 migration (docs/migrating.md): its output is
// its result, so it must be the report alone. It once left the store's close running while it deleted the file,
// and the close's last search-index run failed on it, printing search_index_failed after the report.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("bench/migration-rebuild.ts", () => {
  it("closes the store before it reads and deletes the file: it prints the migration and the report, no warning", async () => {
    const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", "bench/migration-rebuild.ts", "2000"], { cwd: ROOT, timeout: 60_000 });
    const lines = stdout.trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => l.event ?? "report")).toEqual(["db_migrated", "report"]);
    expect(lines[1]).toMatchObject({ rows: 2000, sequence: 2000 });
    expect(stderr).toBe("");
  }, 60_000);
});
