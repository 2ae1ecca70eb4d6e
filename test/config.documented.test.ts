// Every variable the configuration reads is documented twice: in .env.example (set, or commented out with its
// example) and in the README's configuration tables. The names are read from the source of the readers, so a
// new variable without its documentation fails here.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readMarkdownTables } from "./helpers/markdown-tables.js";

const CONFIG_SOURCES = ["src/config.ts", "src/push/settings.ts"];

const read = (path: string): string => readFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), "utf8");

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
