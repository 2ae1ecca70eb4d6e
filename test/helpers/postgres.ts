// A real PostgreSQL for the cluster suite, from Debian's `postgresql` package: initdb in a temporary folder,
// the server on a free loopback port, removed at the end. PostgreSQL refuses to run as root, so when the tests
// run as root the folder is chowned to the `postgres` system user, initdb runs through `runuser -u postgres --`,
// and the server is spawned with the postgres uid and gid directly: runuser would stand between us and the
// postmaster and not pass SIGINT (fast shutdown) or SIGSTOP on. As any other user the binaries run as that user.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./free-port.js";

const PG_ROOT = "/usr/lib/postgresql";
const READY_LINE = "database system is ready to accept connections";
/** The superuser's password: TCP connections use scram-sha-256, so a wrong password is really refused. */
export const PG_PASSWORD = "cluster-test-password";

/** The newest installed major version's bin dir (`/usr/lib/postgresql/<n>/bin`), found rather than hard-coded. */
export function findPostgresBinDir(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT)
        .filter((v) => existsSync(join(PG_ROOT, v, "bin", "initdb")) && existsSync(join(PG_ROOT, v, "bin", "postgres")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) throw new Error(`no PostgreSQL under ${PG_ROOT}/*/bin: install Debian's postgresql package (apt-get install postgresql)`);
  return join(PG_ROOT, newest, "bin");
}

const isRoot = process.getuid?.() === 0;

/** The command line that runs `bin` as the postgres user (directly when we are not root). */
function asPostgres(bin: string, args: string[]): [string, string[]] {
  return isRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, args];
}

/** Spawn options that run a binary as the postgres user: its uid and gid (Node drops root's supplementary groups). */
function postgresSpawnIds(): { uid?: number; gid?: number } {
  return isRoot ? postgresIds() : {};
}

function postgresIds(): { uid: number; gid: number } {
  const out = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
  const gidOut = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
  if (out.status !== 0 || gidOut.status !== 0) throw new Error("no `postgres` system user (it comes with Debian's postgresql package)");
  return { uid: Number(out.stdout.trim()), gid: Number(gidOut.stdout.trim()) };
}

export interface PostgresServer {
  host: string;
  port: number;
  /** The temporary folder: data directory and unix socket directory live inside. */
  dir: string;
  /** postgres://postgres:…@127.0.0.1:port/<database> */
  url(database?: string): string;
  /** A fresh, empty database; returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Fast shutdown (SIGINT), waits for the process to exit. The data stays for start(). */
  stop(): Promise<void>;
  /** Starts the server again on the same port and data. */
  start(): Promise<void>;
  /** The running postmaster (for SIGSTOP/SIGCONT tests), or null while stopped. */
  process(): ChildProcess | null;
  /** Stops the server and removes the folder. Safe to call twice. */
  remove(): Promise<void>;
}

let databaseCounter = 0;

/** A fresh, empty database on the server behind `adminUrl` (any database URL of it); returns the new database's URL. */
export async function createDatabase(adminUrl: string, name = `test_${process.pid}_${++databaseCounter}`): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export interface StartPostgresOptions {
  /** Keep fsync on (a measurement should pay for durable commits); tests turn it off. */
  isDurable?: boolean;
  /** PostgreSQL's max_connections (default 200: three nodes' pools and the tests' own clients). */
  maxConnections?: number;
}

/** initdb + start. Removes everything again if any step fails. */
export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const bin = findPostgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "mr-pg-"));
  const dataDir = join(dir, "data");
  const socketDir = dir;
  const host = "127.0.0.1";
  let proc: ChildProcess | null = null;
  let isRemoved = false;

  // Last resort if the test process exits without remove() (a crash, or vitest killing the worker).
  const onExit = (): void => {
    if (proc && proc.exitCode === null) proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);

  const remove = async (): Promise<void> => {
    if (isRemoved) return;
    isRemoved = true;
    await stop();
    process.off("exit", onExit);
    rmSync(dir, { recursive: true, force: true });
  };

  const stop = async (): Promise<void> => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
    p.kill("SIGCONT"); // in case a test left it stopped
    p.kill("SIGINT"); // "fast" shutdown: ends sessions, checkpoints, exits
    await exited;
  };

  let port = 0;
  const start = async (): Promise<void> => {
    const child = spawn(join(bin, "postgres"), [
      "-D", dataDir,
      "-p", String(port),
      "-k", socketDir,
      "-c", `listen_addresses=${host}`,
      // A throwaway test cluster: no fsync keeps a loaded two-core machine responsive. Commit semantics are unchanged.
      "-c", `fsync=${opts.isDurable === true ? "on" : "off"}`,
      "-c", `full_page_writes=${opts.isDurable === true ? "on" : "off"}`,
      "-c", `max_connections=${opts.maxConnections ?? 200}`,
    ], { stdio: ["ignore", "ignore", "pipe"], cwd: dir, ...postgresSpawnIds() });
    let stderr = "";
    await new Promise<void>((resolve, reject) => {
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
        if (stderr.includes(READY_LINE)) resolve();
      });
      child.once("exit", (code, signal) => reject(new Error(`postgres exited (${code ?? signal}) before it was ready:\n${stderr}`)));
      child.once("error", reject);
    });
    child.stderr?.resume(); // keep draining its log so it never blocks on a full pipe
    proc = child;
  };

  try {
    const pwFile = join(dir, "pwfile");
    writeFileSync(pwFile, `${PG_PASSWORD}\n`, { mode: 0o600 });
    if (isRoot) {
      const { uid, gid } = postgresIds();
      for (const path of [dir, pwFile]) chownSync(path, uid, gid);
    }
    const [cmd, args] = asPostgres(join(bin, "initdb"), [
      "-D", dataDir,
      "-U", "postgres",
      "--pwfile", pwFile,
      "--auth-local=trust",
      "--auth-host=scram-sha-256",
      "--encoding=UTF8",
      "--locale=C.UTF-8",
      "--no-sync",
    ]);
    const init = spawnSync(cmd, args, { encoding: "utf8" });
    if (init.status !== 0) throw new Error(`initdb failed (${init.status}): ${init.stderr || init.stdout}`);
    port = await freePort();
    await start();
  } catch (err) {
    await remove();
    throw err;
  }

  const url = (database = "postgres"): string => `postgres://postgres:${PG_PASSWORD}@${host}:${port}/${database}`;
  return {
    host,
    get port() {
      return port;
    },
    dir,
    url,
    createDatabase: (name) => createDatabase(url(), name),
    stop,
    start,
    process: () => proc,
    remove,
  };
}
