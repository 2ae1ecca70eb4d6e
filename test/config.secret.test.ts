import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { spawnChildServer, startChildServer } from "./helpers/child-server.js";

const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-config-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("SECRET_KEY", () => {
  it("is required in production: loadConfig throws a ConfigError naming it", () => {
    const attempt = () => loadConfig({ NODE_ENV: "production" });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/SECRET_KEY is required when NODE_ENV=production/);
    expect(() => loadConfig({ NODE_ENV: "production", SECRET_KEY: "   " })).toThrow(/SECRET_KEY is required/);
  });

  it("is taken as given in production, and a short one is refused", () => {
    const key = "a-long-enough-production-secret";
    expect(loadConfig({ NODE_ENV: "production", SECRET_KEY: key })).toMatchObject({ isProduction: true, secretKey: key, isSecretGenerated: false });
    expect(() => loadConfig({ NODE_ENV: "production", SECRET_KEY: "short" })).toThrow(/SECRET_KEY must be at least 16 characters/);
  });

  it("is generated at random per start in development, and flagged so the server warns", () => {
    const a = loadConfig({});
    const b = loadConfig({});
    expect(a.isSecretGenerated).toBe(true);
    expect(a.secretKey).toMatch(/^[0-9a-f]{64}$/);
    expect(a.secretKey).not.toBe(b.secretKey);
  });

  it("missing in production: the server exits 1 with one clear line on stderr and never listens", async () => {
    const dir = tempDir();
    const server = await spawnChildServer({ databasePath: join(dir, "chat.db"), env: { NODE_ENV: "production", SECRET_KEY: undefined } });
    onTestFinished(server.stop);
    const exit = await server.exited;
    expect(exit.code).toBe(1);
    expect(server.stderr()).toBe("config error: SECRET_KEY is required when NODE_ENV=production\n");
    expect(server.logs.map((l) => l.event)).not.toContain("listening");
  });

  it("missing in development: the server starts and logs one secret_key_generated warning", async () => {
    const dir = tempDir();
    const server = await startChildServer({ databasePath: join(dir, "chat.db"), env: { NODE_ENV: "development", SECRET_KEY: undefined } });
    onTestFinished(server.stop);
    expect(server.logs.filter((l) => l.event === "secret_key_generated")).toEqual([expect.objectContaining({ level: "warn" })]);
    expect(JSON.stringify(server.logs)).not.toMatch(/[0-9a-f]{64}/); // the generated key is never printed
  });

  it("is kept out of git: .env is ignored and no tracked file assigns a secret", () => {
    expect(() => execFileSync("git", ["check-ignore", "-q", ".env"], { cwd: REPO_ROOT })).not.toThrow();
    // git grep exits 1 when nothing matches.
    const grep = spawnSync("git", ["grep", "-n", "-I", "-E", "^\\s*(SECRET_KEY|METRICS_TOKEN)\\s*=\\s*\\S", "--", "."], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(grep.stdout).toBe("");
    expect(grep.status).toBe(1);
  });
});
