// Debian's nginx in front of the cluster, started from docs/nginx-cluster.conf itself: the documented file with
// its ${…} placeholders filled in, run in the foreground with a temporary prefix (pid, logs, temp folders).
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./free-port.js";

export const NGINX = process.env.NGINX_PATH ?? "/usr/sbin/nginx";
export const NGINX_CONF = fileURLToPath(new URL("../../docs/nginx-cluster.conf", import.meta.url));

export interface Nginx {
  port: number;
  url: string;
  dir: string;
  /** The access log so far (one line per finished request, with the upstream it went to). */
  accessLog(): string;
  errorLog(): string;
  remove(): Promise<void>;
}

/**
 * The documented config for `upstreams` ("host:port" each): its three `server ${NODE_X} …;` lines become one line
 * per upstream (the first line's options on each; three upstreams fill the file exactly as documented), and every
 * other ${NAME} is filled from `values`. A placeholder left unfilled is an error.
 */
export function renderConfig(upstreams: readonly string[], values: Readonly<Record<string, string>>): string {
  if (upstreams.length === 0) throw new Error("nginx needs at least one upstream");
  const text = readFileSync(NGINX_CONF, "utf8");
  const fill = (line: string): string =>
    line.replace(/\$\{([A-Z_]+)\}/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined) throw new Error(`docs/nginx-cluster.conf: no value for \${${name}}`);
      return value;
    });
  // Comments mention the placeholders too; only fill them in outside comments, so the file stays self-describing.
  return text
    .split("\n")
    .flatMap((line) => {
      if (line.trimStart().startsWith("#")) return [line];
      const server = /^(\s*server )\$\{NODE_([A-Z])\}(.*)$/.exec(line);
      if (server === null) return [fill(line)];
      return server[2] === "A" ? upstreams.map((u) => `${server[1]}${u}${server[3]}`) : [];
    })
    .join("\n");
}

/**
 * The node that answered a request through the documented nginx, from its X-Upstream header ($upstream_addr):
 * "A, B" when A refused the connection and nginx went on to B, so the last address. Null without the header.
 */
export function answeredBy(headers: Headers): string | null {
  return headers.get("x-upstream")?.split(/,\s*/).at(-1) ?? null;
}

/** Starts nginx on a free loopback port in front of `upstreams` ("127.0.0.1:port" each; the tests run three). */
export async function startNginx(upstreams: readonly string[]): Promise<Nginx> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} not found: install Debian's nginx package (apt-get install nginx)`);
  const dir = mkdtempSync(join(tmpdir(), "mr-nginx-"));
  // Workers drop root for nobody: they must be able to reach the temp folders under the prefix.
  chmodSync(dir, 0o755);
  for (const sub of ["logs", "temp"]) mkdirSync(join(dir, sub));
  let proc: ChildProcess | null = null;
  const onExit = (): void => {
    if (proc && proc.exitCode === null) proc.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  const remove = async (): Promise<void> => {
    const p = proc;
    proc = null;
    if (p && p.exitCode === null && p.signalCode === null) {
      const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()));
      p.kill("SIGTERM"); // fast shutdown: master and workers
      await exited;
    }
    process.off("exit", onExit);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const port = await freePort();
    const conf = join(dir, "nginx.conf");
    writeFileSync(conf, renderConfig(upstreams, { LISTEN_PORT: String(port) }));
    const child = spawn(NGINX, ["-p", `${dir}/`, "-c", conf, "-e", join(dir, "logs", "startup.log"), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
    proc = child;
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    await waitForListening(port, child, () => stderr + readIfExists(join(dir, "logs", "error.log")));
    return {
      port,
      url: `http://127.0.0.1:${port}`,
      dir,
      accessLog: () => readIfExists(join(dir, "logs", "access.log")),
      errorLog: () => readIfExists(join(dir, "logs", "error.log")),
      remove,
    };
  } catch (err) {
    await remove();
    throw err;
  }
}

function readIfExists(path: string): string {
  return existsSync(path) ? readFileSync(path, "utf8") : "";
}

/** nginx says nothing when it is ready: poll its port until it answers, or fail when it exits. */
async function waitForListening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`nginx exited (${child.exitCode ?? child.signalCode}): ${output()}`);
    try {
      await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nginx did not answer on ${port} within 10 s: ${output()}`);
}
