// Measures `npm run migrate-db` on a big history: fills an SQLite file (the Flask table, as bench/fill-db.ts
// does for the workloads), starts a throwaway PostgreSQL (test/helpers/postgres.ts, fsync on), runs the built
// tool and prints its summary. Usage: npm run build && node --import tsx bench/migrate-db.ts [--rows 1000000]
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startPostgres } from "../test/helpers/postgres.js";
import { fillDatabase } from "./fill-db.js";

const TOOL = fileURLToPath(new URL("../dist/tools/migrate-db.js", import.meta.url));

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { rows: { type: "string", default: "1000000" }, batch: { type: "string", default: "5000" } } });
  const rows = Number(values.rows);
  const dir = mkdtempSync(join(tmpdir(), "mr-bench-migrate-"));
  const server = await startPostgres({ isDurable: true });
  try {
    const path = join(dir, "chat_history.db");
    const fill = fillDatabase(path, [
      { room: "big", messages: Math.round(rows * 0.9) },
      { room: "small", messages: rows - Math.round(rows * 0.9) },
    ]);
    process.stdout.write(`filled ${fill.rows} rows in ${(fill.fillMs / 1000).toFixed(1)} s\n`);
    const url = await server.createDatabase("bench");
    for (const run of ["first run", "re-run (all skipped)"]) {
      process.stdout.write(`${run}:\n`);
      const child = spawn(process.execPath, [TOOL, "--from", path, "--to", url, "--batch", values.batch], { stdio: ["ignore", "inherit", "inherit"] });
      const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
      if (code !== 0) throw new Error(`migrate-db exited ${code}`);
    }
  } finally {
    await server.remove();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
