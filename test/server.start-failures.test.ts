// What an operator sees when the server cannot start: exit 1 and one line on stderr that names the variable to
// change (README, "Configuration"), never a stack trace, never a hang. Config values that do not parse are
// config.test.ts's; these are values that parse but point at something that cannot be used.
// `npm test` builds first; run `npm run build` before this file alone.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { spawnChildServer } from "./helpers/child-server.js";
import { freePort } from "./helpers/free-port.js";

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-start-fail-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A port something else already listens on. */
async function takenPort(): Promise<number> {
  const other: Server = createServer();
  await new Promise<void>((resolve) => other.listen(0, "127.0.0.1", resolve));
  onTestFinished(() => void other.close());
  return (other.address() as { port: number }).port;
}

async function startFailure(env: (dir: string) => Promise<Record<string, string>>, port?: number): Promise<string> {
  const dir = tempDir();
  const server = await spawnChildServer({ databasePath: join(dir, "chat.db"), cwd: dir, env: await env(dir), ...(port === undefined ? {} : { port }) });
  onTestFinished(server.stop);
  expect(await server.exited).toEqual({ code: 1, signal: null });
  return server.stderr();
}

describe("a start-up that cannot go on", () => {
  it.each([
    ["DATABASE_PATH in a folder that does not exist", "DATABASE_PATH", async (dir: string) => ({ DATABASE_PATH: join(dir, "no-such-folder", "chat.db") })],
    ["DATABASE_PATH naming a folder", "DATABASE_PATH", async (dir: string) => ({ DATABASE_PATH: dir })],
    ["DATABASE_URL with nothing listening", "DATABASE_URL", async () => ({ DATABASE_URL: `postgres://chat:pw@127.0.0.1:${await freePort()}/chat` })],
    ["REDIS_URL with nothing listening", "REDIS_URL", async () => ({ REDIS_URL: `redis://127.0.0.1:${await freePort()}`, DATABASE_URL: "postgres://chat:pw@127.0.0.1:1/chat" })],
    ["REDIS_CLUSTER_NODES with nothing listening", "REDIS_CLUSTER_NODES", async () => ({ REDIS_CLUSTER_NODES: `127.0.0.1:${await freePort()}`, DATABASE_URL: "postgres://chat:pw@127.0.0.1:1/chat" })],
    ["HEALTH_PORT taken by another process", "HEALTH_HOST, HEALTH_PORT", async () => ({ HEALTH_PORT: String(await takenPort()) })],
    ["HOST that does not resolve", "HOST, PORT", async () => ({ HOST: "no-such-host.invalid" })],
    // Node's recursive mkdirSync never returns under /proc (storage/make-folders.ts): start-up hung without a word.
    ["FILES_PATH under /proc", "FILES_PATH", async () => ({ FILES_PATH: "/proc/no-such-folder/files" })],
  ])("%s: exits 1 with one line naming %s", async (_case, variables, env) => {
    const stderr = await startFailure(env);
    expect(stderr).toMatch(new RegExp(`^cannot [^\\n]* \\(${variables}\\): [^\\n]+\\n$`));
  });

  it("PORT taken by another process: exits 1 with one line naming HOST, PORT", async () => {
    const port = await takenPort();
    const stderr = await startFailure(async () => ({}), port);
    expect(stderr).toMatch(new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${port} \\(HOST, PORT\\): listen EADDRINUSE[^\\n]*\\n$`));
  });
});
