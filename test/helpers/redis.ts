// A real Redis for the cluster suite, from Debian's `redis-server` package: one server on a free loopback port,
// its working folder a temporary one, no persistence (a restart is an empty Redis, the worst case for the
// adapter and presence), removed at the end. Redis runs as any user, root included.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

export const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? "/usr/bin/redis-server";
const READY_LINE = "Ready to accept connections";

export interface RedisServer {
  host: string;
  port: number;
  dir: string;
  /** redis://127.0.0.1:port */
  url: string;
  /** SIGTERM, waits for the exit. start() brings it back on the same port (empty: nothing is saved). */
  stop(): Promise<void>;
  /** SIGKILL, waits for the exit. */
  kill(): Promise<void>;
  start(): Promise<void>;
  process(): ChildProcess | null;
  /** Stops the server and removes the folder. Safe to call twice. */
  remove(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  if (!existsSync(REDIS_SERVER)) throw new Error(`${REDIS_SERVER} not found: install Debian's redis-server package (apt-get install redis-server)`);
  const dir = mkdtempSync(join(tmpdir(), "mr-redis-"));
  const host = "127.0.0.1";
  let proc: ChildProcess | null = null;
  let isRemoved = false;
  const port = await freePort();

  const onExit = (): void => {
    if (proc && proc.exitCode === null) proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
    p.kill(signal);
    await exited;
  };

  const start = async (): Promise<void> => {
    const child = spawn(REDIS_SERVER, [
      "--port", String(port),
      "--bind", host,
      "--dir", dir,
      "--save", "",
      "--appendonly", "no",
      "--daemonize", "no",
      "--protected-mode", "yes",
    ], { stdio: ["ignore", "pipe", "pipe"], cwd: dir });
    let out = "";
    await new Promise<void>((resolve, reject) => {
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        if (out.includes(READY_LINE)) resolve();
      });
      child.once("exit", (code, signal) => reject(new Error(`redis-server exited (${code ?? signal}) before it was ready:\n${out}`)));
      child.once("error", reject);
    });
    child.stdout?.resume();
    child.stderr?.resume();
    proc = child;
  };

  const remove = async (): Promise<void> => {
    if (isRemoved) return;
    isRemoved = true;
    await halt("SIGKILL");
    process.off("exit", onExit);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    host,
    port,
    dir,
    url: `redis://${host}:${port}`,
    stop: () => halt("SIGTERM"),
    kill: () => halt("SIGKILL"),
    start,
    process: () => proc,
    remove,
  };
}
