// Closing the terminal the server runs in: the kernel sends SIGHUP and every later write to stdout fails (EIO).
// The server must still drain and end; pino's buffered stdout used to retry the failed line forever at exit
// (src/log.ts), so the process never ended. script(1) gives the server a terminal; killing script closes it.
// `npm test` builds first; run `npm run build` before this file alone.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { connectTo, SERVER_ENTRY } from "./helpers/child-server.js";
import { freePort } from "./helpers/free-port.js";
import { waitFor } from "./helpers/wait.js";

/** The one child process of `parent`, from /proc (no pgrep: procps is not on every machine). */
function childOf(parent: number): number {
  const children = readdirSync("/proc").filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent; // the field after the state: ppid
    } catch {
      return false; // it ended meanwhile
    }
  });
  if (children.length !== 1) throw new Error(`expected one child of ${parent}, found ${children.length}`);
  return Number(children[0]);
}

/** Resolves when a process that is not our child has ended (tail --pid waits for it). */
function ended(pid: number): Promise<void> {
  return new Promise((resolve) => spawn("tail", [`--pid=${pid}`, "-f", "/dev/null"], { stdio: "ignore" }).once("exit", () => resolve()));
}

describe("the terminal closes", () => {
  // script(1) is Debian's bsdutils (Essential: on every machine, CI's included), so the test never skips.
  it("drains (clients told server_shutdown, database closed) and the process ends", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mr-terminal-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const databasePath = join(dir, "chat.db");
    const port = await freePort();
    const env = { PATH: process.env.PATH ?? "", NODE_ENV: "development", HOST: "127.0.0.1", PORT: String(port), DATABASE_PATH: databasePath, SECRET_KEY: "child-secret-key-0123456789abcdef", LOG_LEVEL: "info", JOIN_LOOP_BUSY_MS: "0" };
    const terminal = spawn("script", ["-qfc", `exec "${process.execPath}" "${SERVER_ENTRY}"`, "/dev/null"], { cwd: dir, env, stdio: ["pipe", "pipe", "ignore"] });
    onTestFinished(() => void terminal.kill("SIGKILL"));
    let output = "";
    await new Promise<void>((resolve, reject) => {
      terminal.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk).includes('"event":"listening"') && resolve());
      terminal.once("exit", () => reject(new Error(`script ended before the server listened: ${output}`)));
    });
    const pid = childOf(terminal.pid ?? 0);
    onTestFinished(() => {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone, as it should be
      }
    });
    const alice = await connectTo(`http://127.0.0.1:${port}`);
    onTestFinished(() => void alice.disconnect());
    expect(await alice.timeout(5000).emitWithAck("join_chat", { room: "general", username: "alice" })).toMatchObject({ ok: true });
    const told = waitFor(alice, "server_shutdown", undefined, 10_000);
    const gone = ended(pid);

    terminal.kill("SIGKILL"); // the terminal's other end closes: SIGHUP, then EIO on every write
    expect(await told).toEqual({ reconnectAfterMs: expect.any(Number) });
    await gone;
    const wal = `${databasePath}-wal`;
    expect(!existsSync(wal) || statSync(wal).size === 0, "the database was closed after a WAL checkpoint").toBe(true);
  });

  // Node's exit puts back the terminal settings it saw at start and crashed on the hung-up terminal (SIGSEGV) after
  // the drain had finished (src/closed-terminal.ts). The server cannot be our child here (script(1) gives it the
  // terminal), so a shell under script starts it, passes the terminal's SIGHUP on, and writes down how it ended.
  it("ends with exit code 0 after the drain, not by a signal", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mr-terminal-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort();
    const statusFile = join(dir, "status");
    const shell = 'node_bin=$1; "$node_bin" "$2" & pid=$!; trap \'kill -HUP $pid\' HUP; while kill -0 $pid 2>/dev/null; do wait $pid; s=$?; done; echo $s > "$3"';
    const command = `sh -c '${shell.replaceAll("'", "'\\''")}' sh "${process.execPath}" "${SERVER_ENTRY}" "${statusFile}"`;
    const env = { PATH: process.env.PATH ?? "", NODE_ENV: "development", HOST: "127.0.0.1", PORT: String(port), DATABASE_PATH: join(dir, "chat.db"), SECRET_KEY: "child-secret-key-0123456789abcdef", LOG_LEVEL: "info", JOIN_LOOP_BUSY_MS: "0" };
    const terminal = spawn("script", ["-qfc", command, "/dev/null"], { cwd: dir, env, stdio: ["pipe", "pipe", "ignore"] });
    onTestFinished(() => void terminal.kill("SIGKILL"));
    let output = "";
    await new Promise<void>((resolve, reject) => {
      terminal.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk).includes('"event":"listening"') && resolve());
      terminal.once("exit", () => reject(new Error(`script ended before the server listened: ${output}`)));
    });
    const shellPid = childOf(terminal.pid ?? 0);
    const serverPid = childOf(shellPid);
    onTestFinished(() => {
      for (const pid of [serverPid, shellPid]) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone, as it should be
        }
      }
    });
    const gone = ended(shellPid);

    terminal.kill("SIGKILL"); // the terminal closes: SIGHUP (passed on by the shell), then EIO on every write
    await gone;
    expect(readFileSync(statusFile, "utf8").trim(), "the server's exit status (128 + n: killed by signal n)").toBe("0");
  });
});
