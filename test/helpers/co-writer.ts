// Another process writing the same file the way the Flask app does: short IMMEDIATE transactions, each
// holding the write lock for `holdMs`, one every `periodMs`. Runs as a real child process with its own
// connection, so the locks are the file locks two servers really contend for.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

// Plain JavaScript run with `node -e`, so no build step is needed. Atomics.wait sleeps while holding the lock.
const SCRIPT = `
const Database = require("better-sqlite3");
const [path, room, holdMs, periodMs] = process.argv.slice(1);
const db = new Database(path, { timeout: 5000 }); // pysqlite's default timeout, as the Flask app has
const insert = db.prepare("INSERT INTO chat_message (chat_room, sender, content, timestamp) VALUES (?, ?, ?, ?)");
const nap = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
let cycles = 0;
let isStopping = false;
process.on("SIGTERM", () => (isStopping = true));
const cycle = () => {
  if (isStopping) {
    db.close();
    process.stdout.write("stopped " + cycles + "\\n");
    process.exit(0);
  }
  db.exec("BEGIN IMMEDIATE");
  insert.run(room, "flask-user", "from flask " + cycles, new Date().toISOString().replace("T", " ").replace("Z", "000"));
  if (cycles === 0) process.stdout.write("holding\\n");
  nap(Number(holdMs));
  db.exec("COMMIT");
  cycles++;
  setTimeout(cycle, Number(periodMs) - Number(holdMs));
};
cycle();
`;

export interface CoWriter {
  /** Stops the loop after its current transaction; resolves with how many transactions it committed. */
  stop(): Promise<number>;
}

/** Starts the co-writer and resolves once it holds the write lock for the first time. */
export async function startCoWriter(path: string, room: string, holdMs = 50, periodMs = 100): Promise<CoWriter> {
  const proc = spawn(process.execPath, ["-e", SCRIPT, path, room, String(holdMs), String(periodMs)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stderr.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    proc.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      if (out.includes("holding\n")) resolve();
    });
    void exited.then((code) => reject(new Error(`co-writer exited (${code}) before holding the lock: ${err}`)));
  });
  return {
    stop: async () => {
      proc.kill("SIGTERM");
      const code = await exited;
      const match = /stopped (\d+)/.exec(out);
      if (code !== 0 || !match) throw new Error(`co-writer failed (${code}): ${err}`);
      return Number(match[1]);
    },
  };
}
