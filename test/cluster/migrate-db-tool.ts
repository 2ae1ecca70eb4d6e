// Runs `npm run migrate-db` (the built dist/tools/migrate-db.js) as a real process for the migrate-db suites, with
// the temporary folders and one-off PostgreSQL queries they share.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { onTestFinished } from "vitest";

const TOOL = fileURLToPath(new URL("../../dist/tools/migrate-db.js", import.meta.url));

export interface Run {
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves when stdout has a line matching. */
  waitForLine: (re: RegExp) => Promise<void>;
  kill: () => void;
}

export function runTool(args: string[]): Run {
  const proc = spawn(process.execPath, [TOOL, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  const watchers: { re: RegExp; resolve: () => void }[] = [];
  proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    out += chunk;
    for (const w of [...watchers]) {
      if (!w.re.test(out)) continue;
      watchers.splice(watchers.indexOf(w), 1);
      w.resolve();
    }
  });
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  onTestFinished(() => void proc.kill("SIGKILL"));
  return {
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLine: (re) => (re.test(out) ? Promise.resolve() : new Promise((resolve) => watchers.push({ re, resolve }))),
    kill: () => proc.kill("SIGKILL"),
  };
}

export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-migrate-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
