// Configuration: parsed once from the environment, defaults as documented, one clear error naming each bad variable.
import { readFileSync } from "node:fs";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { ConfigError, loadConfig, type Config } from "../src/config.js";
import { problemsOf } from "./helpers/config-problems.js";
import { spawnChildServer } from "./helpers/child-server.js";

describe("defaults", () => {
  it("are the original's port and file, on this machine only", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 5003,
      host: "127.0.0.1",
      databasePath: "chat_history.db",
      historyLimit: 100,
      logLevel: "info",
      isProduction: false,
      maxHttpBufferBytes: 16 * 1024,
      shutdownTimeoutMs: 10_000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("are what .env.example documents", () => {
    const example = readFileSync(fileURLToPath(new URL("../.env.example", import.meta.url)), "utf8");
    const env = Object.fromEntries(
      example
        .split("\n")
        .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1] as string, m[2] as string]),
    );
    for (const name of ["PORT", "HOST", "DATABASE_PATH", "HISTORY_LIMIT", "LOG_LEVEL"]) expect(env, name).toHaveProperty(name);
    const comparable = ({ secretKey: _s, isSecretGenerated: _g, ...rest }: Config) => rest;
    expect(comparable(loadConfig(env))).toEqual(comparable(loadConfig({})));
  });

  it("treat empty and blank values as unset, and trim the others", () => {
    expect(loadConfig({ PORT: "", HISTORY_LIMIT: "  ", DATABASE_PATH: "" })).toMatchObject({ port: 5003, historyLimit: 100, databasePath: "chat_history.db" });
    expect(loadConfig({ PORT: " 8080 ", HOST: " 0.0.0.0 ", DATABASE_PATH: " /data/chat.db " })).toMatchObject({
      port: 8080,
      host: "0.0.0.0",
      databasePath: "/data/chat.db",
    });
  });
});

describe("invalid values", () => {
  it.each([["abc"], ["-1"], ["65536"], ["80.5"], ["0x50"], ["1e3"]])("PORT=%s is refused, naming PORT", (value) => {
    const attempt = () => loadConfig({ PORT: value });
    expect(attempt).toThrow(ConfigError);
    expect(problemsOf({ PORT: value })).toEqual([`PORT must be a whole number from 0 to 65535 (got "${value}")`]);
  });

  it.each([["0"], ["501"], ["-5"], ["ten"]])("HISTORY_LIMIT=%s is refused, naming HISTORY_LIMIT", (value) => {
    expect(problemsOf({ HISTORY_LIMIT: value })).toEqual([`HISTORY_LIMIT must be a whole number from 1 to 500 (got "${value}")`]);
  });

  it("accepts HISTORY_LIMIT at both ends, 1 and 500", () => {
    expect(loadConfig({ HISTORY_LIMIT: "1" }).historyLimit).toBe(1);
    expect(loadConfig({ HISTORY_LIMIT: "500" }).historyLimit).toBe(500);
  });

  it("private rooms (issue 17): LIST_PUBLIC_ROOMS takes true/false/1/0 only; an invite's default life may not exceed its longest", () => {
    expect(loadConfig({ LIST_PUBLIC_ROOMS: "false" }).access.listPublicRooms).toBe(false);
    expect(loadConfig({ LIST_PUBLIC_ROOMS: "0" }).access.listPublicRooms).toBe(false);
    expect(loadConfig({}).access).toEqual({ listPublicRooms: true, inviteTtlMs: 604_800_000, inviteMaxTtlMs: 2_592_000_000, inviteTriesPerMinute: 20, maxRoomsPerSession: 50, maxInvitesPerRoom: 50 });
    expect(problemsOf({ LIST_PUBLIC_ROOMS: "no" })).toEqual(['LIST_PUBLIC_ROOMS must be true or false (got "no")']);
    expect(problemsOf({ INVITE_TTL_MS: "90000", INVITE_MAX_TTL_MS: "60000" })).toEqual(["INVITE_TTL_MS (90000) must not be above INVITE_MAX_TTL_MS (60000)"]);
    expect(problemsOf({ INVITE_MAX_TTL_MS: "2592000001" })).toEqual(['INVITE_MAX_TTL_MS must be a whole number from 60000 to 2592000000 (got "2592000001")']);
  });

  it("transport limits: MAX_TCP_CONNECTIONS_PER_IP follows MAX_CONNECTIONS_PER_IP unless set; the head's deadline may not exceed the request's", () => {
    expect(loadConfig({}).transport).toEqual({ headersTimeoutMs: 15_000, requestTimeoutMs: 600_000, maxTcpConnectionsPerIp: 120, socketIoConnectTimeoutMs: 10_000 });
    expect(loadConfig({ MAX_CONNECTIONS_PER_IP: "10" }).transport.maxTcpConnectionsPerIp).toBe(40);
    expect(loadConfig({ MAX_CONNECTIONS_PER_IP: "0" }).transport.maxTcpConnectionsPerIp).toBe(0); // no per-address caps at all
    expect(loadConfig({ MAX_CONNECTIONS_PER_IP: "0", MAX_TCP_CONNECTIONS_PER_IP: "500" }).transport.maxTcpConnectionsPerIp).toBe(500);
    expect(problemsOf({ HTTP_HEADERS_TIMEOUT_MS: "20000", HTTP_REQUEST_TIMEOUT_MS: "10000" })).toEqual(["HTTP_HEADERS_TIMEOUT_MS (20000) must not be above HTTP_REQUEST_TIMEOUT_MS (10000)"]);
    expect(problemsOf({ MAX_CONNECTIONS_PER_IP: "x" })).toEqual(['MAX_CONNECTIONS_PER_IP must be a whole number from 0 to 1000000 (got "x")']); // named once
  });

  it("refuses an unknown LOG_LEVEL, naming it", () => {
    expect(problemsOf({ LOG_LEVEL: "loud" })).toEqual([expect.stringMatching(/^LOG_LEVEL must be one of .*\(got "loud"\)$/)]);
  });

  it("TRUST_PROXY: a proxy address or subnet that proxy-addr cannot read is refused, naming TRUST_PROXY; good ones are kept as given", () => {
    for (const value of ["garbage", "10.0.0.0/33", "loopback, nonsense", "1.2.3.4/255.0.255.0"]) {
      const problems = problemsOf({ TRUST_PROXY: value });
      expect(problems, value).toHaveLength(1);
      expect(problems[0], value).toMatch(/^TRUST_PROXY must be true, false, a hop count, or proxy addresses\/subnets /);
      expect(problems[0], value).toContain(`(got "${value}": `);
    }
    expect(loadConfig({ TRUST_PROXY: "loopback, 10.0.0.0/8, fd00::/8" }).trustProxy).toBe("loopback, 10.0.0.0/8, fd00::/8");
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
  });

  it("NODE_ENV: only production, development or test; a misspelt production is refused rather than run without production's checks", () => {
    expect(problemsOf({ NODE_ENV: "Production" })).toEqual(['NODE_ENV must be one of production, development, test (got "Production")']);
    expect(problemsOf({ NODE_ENV: "prod" })).toEqual(['NODE_ENV must be one of production, development, test (got "prod")']);
    expect(loadConfig({ NODE_ENV: " " }).isProduction).toBe(false);
    expect(loadConfig({ NODE_ENV: "test" }).isProduction).toBe(false);
  });

  it("names every bad variable in one error", () => {
    const attempt = () => loadConfig({ PORT: "abc", HISTORY_LIMIT: "0", LOG_LEVEL: "loud" });
    expect(attempt).toThrow(/^invalid configuration: .*PORT.*; .*HISTORY_LIMIT.*/);
    expect(problemsOf({ PORT: "abc", HISTORY_LIMIT: "0", LOG_LEVEL: "loud" })).toHaveLength(3);
  });
});

describe("the server process with a bad value", () => {
  it.each([
    ["PORT", "abc", 'config error: PORT must be a whole number from 0 to 65535 (got "abc")\n'],
    ["HISTORY_LIMIT", "0", 'config error: HISTORY_LIMIT must be a whole number from 1 to 500 (got "0")\n'],
    // Was a TypeError stack trace from proxy-addr, thrown by app.set("trust proxy") after the database was opened.
    ["TRUST_PROXY", "10.0.0.1,garbage", 'config error: TRUST_PROXY must be true, false, a hop count, or proxy addresses/subnets such as loopback,10.0.0.0/8 (got "10.0.0.1,garbage": invalid IP address: garbage)\n'],
  ])("%s=%s: exits 1 with one line on stderr naming it, and never listens", async (name, value, line) => {
    const dir = mkdtempSync(join(tmpdir(), "mr-config-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const server = await spawnChildServer({ databasePath: join(dir, "chat.db"), cwd: dir, env: { [name]: value } });
    onTestFinished(server.stop);
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.stderr()).toBe(line);
    expect(server.logs.map((l) => l.event)).not.toContain("listening");
  });
});
