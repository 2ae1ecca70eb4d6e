// A real Redis for the cluster suite, from Debian's `redis-server` package: on a free loopback port, in a
// temporary folder, without persistence (a restart comes back empty, as after a crash of a cache node).
// stop()/start() keep the port, so clients reconnect to the same URL.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";

const READY_LINE = "Ready to accept connections";

export interface RedisServer {
  port: number;
  /** The running redis-server's pid (its CPU from /proc, for the scale bench), or null while stopped. */
  pid(): number | null;
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its folder; safe to call twice. */
  remove(): Promise<void>;
}

export interface RedisServerOptions {
  /** requirepass: clients must AUTH with it. */
  password?: string;
  /**
   * A Redis Cluster node (redis-cluster.ts joins several): cluster mode, its nodes.conf in the server's folder, so a
   * restart (stop()/start()) comes back with its node id and slots, and rejoins the others.
   */
  isClusterNode?: boolean;
  /** cluster-node-timeout: how long a master may be unreachable before its replica takes over (Redis' default 15 s). */
  clusterNodeTimeoutMs?: number;
}

export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const dir = mkdtempSync(join(tmpdir(), "mr-redis-"));
  const port = await freePort();
  let child: ChildProcess | null = null;
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "notice"];
  if (opts.password !== undefined) args.push("--requirepass", opts.password);
  // require-full-coverage no: the other masters keep serving their slots while one is down (the fault test).
  if (opts.isClusterNode === true) args.push("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-require-full-coverage", "no");
  if (opts.clusterNodeTimeoutMs !== undefined) args.push("--cluster-node-timeout", String(opts.clusterNodeTimeoutMs));

  const start = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
      child = proc;
      let output = "";
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes(READY_LINE)) {
          proc.stdout.off("data", onData);
          resolve();
        }
      };
      proc.stdout.on("data", onData);
      proc.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      proc.once("error", reject);
      proc.once("exit", (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)));
    });

  const stop = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (proc === null || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGKILL"); // a crash: nothing saved, clients see the connection drop
    await exited;
  };

  await start();
  const auth = opts.password !== undefined ? `:${encodeURIComponent(opts.password)}@` : "";
  return {
    port,
    pid: () => child?.pid ?? null,
    url: `redis://${auth}127.0.0.1:${port}`,
    stop,
    start,
    async remove() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
