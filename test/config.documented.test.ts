// Every variable the configuration reads is documented twice: in .env.example (set, or commented out with its
// example) and in the README's configuration tables. The names are read from the source of the readers, so a
// new variable without its documentation fails here.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, type Config } from "../src/config.js";
import { readMarkdownTables } from "./helpers/markdown-tables.js";

const read = (path: string): string => readFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), "utf8");

/** Every TypeScript file under src/, as a path from the repository's root. */
const SOURCES = readdirSync(fileURLToPath(new URL("../src", import.meta.url)), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => `src/${f.split("\\").join("/")}`)
  .sort();

/** The configuration's readers: config.ts and every settings.ts beside a part (src/push/settings.ts ...), found, not listed. */
const CONFIG_SOURCES = SOURCES.filter((f) => f === "src/config.ts" || f.endsWith("/settings.ts"));

/** The names loadConfig reads: env.NAME, the readers' "NAME" arguments, and the RATE_<kind>_* pairs bucket() builds. */
function variablesRead(): string[] {
  const names = new Set<string>();
  for (const source of CONFIG_SOURCES.map(read)) {
    const kinds = new Set([...source.matchAll(/\bbucket\("([A-Z]+)"/g)].map((m) => m[1] as string));
    for (const kind of kinds) names.add(`RATE_${kind}_PER_SEC`).add(`RATE_${kind}_BURST`);
    for (const m of source.matchAll(/\benv(?:\.|\[")([A-Z][A-Z0-9_]+)/g)) names.add(m[1] as string);
    for (const m of source.matchAll(/\b(?:int|num|bool)\("([A-Z][A-Z0-9_]*)"/g)) names.add(m[1] as string);
    for (const m of source.matchAll(/"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"/g)) names.add(m[1] as string);
  }
  return [...names].sort();
}

describe("the configuration's documentation", () => {
  const names = variablesRead();

  it("finds the variables in the source (the reading itself works)", () => {
    expect(names).toEqual(expect.arrayContaining(["PORT", "DATABASE_PATH", "RATE_SEND_PER_SEC", "RATE_TYPING_BURST", "TRUST_PROXY", "PUSH_QUEUE_MAX", "VAPID_SUBJECT"]));
    expect(names.length).toBeGreaterThan(80);
  });

  it("scans every module that reads the environment: only the readers do, and server.ts hands them process.env", () => {
    expect(CONFIG_SOURCES).toEqual(expect.arrayContaining(["src/config.ts", "src/push/settings.ts"]));
    const readers = SOURCES.filter((f) => /\benv(?:\.|\[")[A-Z]|\bprocess\.env\b|\benv: Env\b/.test(read(f)));
    expect(readers.filter((f) => !CONFIG_SOURCES.includes(f) && f !== "src/server.ts")).toEqual([]);
  });

  it("lists every variable in .env.example", () => {
    const example = read(".env.example");
    const listed = new Set([...example.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(names.filter((name) => !listed.has(name))).toEqual([]);
  });

  it("lists every variable in a README configuration table", () => {
    const firstCells = readMarkdownTables(read("README.md")).flatMap((table) => table.rows.map((row) => row[0] ?? ""));
    const documented = new Set(firstCells.flatMap((cell) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1])));
    expect(names.filter((name) => !documented.has(name))).toEqual([]);
  });
});

/** Every Markdown page that documents variables: the README's tables and the docs pages'. */
const DOC_PAGES = ["README.md", ...readdirSync(fileURLToPath(new URL("../docs", import.meta.url))).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

/** Defaults the docs describe in words rather than as a value (computed, generated, or a list's name). */
const DESCRIBED_DEFAULTS = new Set(["SECRET_KEY", "NODE_ID", "DATABASE_URL", "REDIS_URL", "REDIS_CLUSTER_NODES", "ALLOWED_ORIGINS", "METRICS_TOKEN", "MODERATOR_TOKEN", "VAPID_PUBLIC_KEY", "VAPID_PRIVATE_KEY", "VAPID_SUBJECT", "PUSH_ALLOWED_HOSTS", "PUSH_TEST_ONLY_SERVICE", "PUSH_TEST_ONLY_CA_FILE", "FILES_PATH", "UPLOAD_REFUSED_TYPES", "PUBLIC_URL", "MAX_TCP_CONNECTIONS_PER_IP", "HEALTH_PORT", "HEALTH_HOST"]);

interface DocumentedVariable {
  page: string;
  name: string;
  /** The default column's value for this name, when it is one `literal`. */
  value: string | null;
  /** The meaning column. */
  meaning: string;
}

/** Rows of every "variable | default | meaning" table: `A` / `B` in the first cell pairs with `x` / `y` in the second. */
function documentedVariables(): DocumentedVariable[] {
  const found: DocumentedVariable[] = [];
  for (const page of DOC_PAGES) {
    for (const table of readMarkdownTables(read(page))) {
      if (table.header[0]?.trim() !== "variable" || table.header[1]?.trim() !== "default") continue;
      for (const row of table.rows) {
        const names = [...(row[0] ?? "").matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string);
        // A value naming another variable (`HOST`) says "the same as that one": described, not a literal.
        const parts = (row[1] ?? "").split(" / ").map((part) => /^\s*`([^`]*)`\s*$/.exec(part)?.[1] ?? null).map((v) => (v !== null && /^[A-Z][A-Z0-9_]+$/.test(v) ? null : v));
        names.forEach((name, i) => found.push({ page, name, value: parts.length === names.length ? (parts[i] ?? null) : null, meaning: row[2] ?? "" }));
      }
    }
  }
  return found;
}

/** The configuration, minus the secret made up afresh on every load. */
const comparable = (env: Record<string, string>): Omit<Config, "secretKey"> => {
  const { secretKey: _secret, ...rest } = loadConfig(env);
  return rest;
};

const refuses = (env: Record<string, string>): boolean => {
  try {
    loadConfig(env);
    return false;
  } catch (err) {
    if (err instanceof ConfigError) return true;
    throw err;
  }
};

describe("the documented defaults and ranges", () => {
  const documented = documentedVariables();

  it("finds the tables (the reading itself works)", () => {
    expect(documented.filter((d) => d.page === "README.md").length).toBeGreaterThan(80);
    expect(documented.some((d) => d.page === "docs/operations.md" && d.name === "PG_POOL_SIZE" && d.value === "10")).toBe(true);
  });

  it("give every variable read a default as a value, unless the docs describe it in words", () => {
    const literal = new Set(documented.filter((d) => d.value !== null).map((d) => d.name));
    expect(variablesRead().filter((name) => !literal.has(name) && !DESCRIBED_DEFAULTS.has(name))).toEqual([]);
  });

  it("are the code's: setting a variable to its documented default changes nothing", () => {
    const base = comparable({});
    const wrong = documented
      .filter((d) => d.value !== null)
      .filter((d) => {
        const env = { [d.name]: d.value as string };
        return refuses(env) || JSON.stringify(comparable(env)) !== JSON.stringify(base);
      })
      .map((d) => `${d.page}: ${d.name}=${d.value}`);
    expect(wrong).toEqual([]);
  });

  it("are the code's where the prose states them: `NAME` … (default N), with s and minutes for the _MS ones", () => {
    const read_ = new Set(variablesRead());
    const UNIT_MS: Record<string, number> = { "": 1, " s": 1000, " minutes": 60_000 };
    const base = comparable({});
    const stated = DOC_PAGES.flatMap((page) =>
      [...read(page).matchAll(/`([A-Z][A-Z0-9_]+)`([^`\n]{0,40}?)\bdefault (\d+)( s\b| minutes\b)?/g)]
        .filter((m) => read_.has(m[1] as string))
        .map((m) => ({ page, name: m[1] as string, value: String(Number(m[3]) * (UNIT_MS[m[4] ?? ""] ?? 1)) })),
    );
    expect(stated.map((s) => s.name)).toEqual(expect.arrayContaining(["PRESENCE_TTL_MS", "NAME_GRACE_MS", "MAX_ROOMS_PER_CONNECTION"]));
    const wrong = stated.filter((s) => refuses({ [s.name]: s.value }) || JSON.stringify(comparable({ [s.name]: s.value })) !== JSON.stringify(base));
    expect(wrong.map((s) => `${s.page}: ${s.name}=${s.value}`)).toEqual([]);
  });

  it("state the ranges the code enforces: (min–max) or (at most max) in a table's meaning or a .env.example comment", () => {
    // .env.example: the comment lines above a variable describe it.
    const comments: { page: string; name: string; meaning: string }[] = [];
    let block = "";
    for (const line of read(".env.example").split("\n")) {
      const variable = /^#?\s*([A-Z][A-Z0-9_]+)=/.exec(line);
      if (variable) comments.push({ page: ".env.example", name: variable[1] as string, meaning: block });
      block = line.startsWith("# ") && !variable ? `${block} ${line}` : "";
    }
    const wrong: string[] = [];
    let checked = 0;
    for (const d of [...documented, ...comments]) {
      const range = /\((\d+)[–-](\d+)\b/.exec(d.meaning) ?? /\(at most (\d+)\b/.exec(d.meaning);
      if (range === null) continue;
      checked++;
      const [min, max] = range[2] === undefined ? [null, Number(range[1])] : [Number(range[1]), Number(range[2])];
      const cases: [number, boolean][] = [[max, false], [max + 1, true], ...(min === null ? [] : [[min, false] as [number, boolean]]), ...(min !== null && min > 0 ? [[min - 1, true] as [number, boolean]] : [])];
      for (const [value, isRefused] of cases) if (refuses({ [d.name]: String(value) }) !== isRefused) wrong.push(`${d.page}: ${d.name}=${value} ${isRefused ? "accepted" : "refused"}`);
    }
    expect(checked).toBeGreaterThanOrEqual(10);
    expect(wrong).toEqual([]);
  });
});
