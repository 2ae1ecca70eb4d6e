import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it, onTestFinished } from "vitest";
import { codeSpans, readMarkdownTables, type MarkdownTable } from "./helpers/markdown-tables.js";
import { readProtocolNames } from "./helpers/protocol-names.js";

const PROTOCOL_TS = fileURLToPath(new URL("../src/protocol.ts", import.meta.url));
const PROTOCOL_MD = fileURLToPath(new URL("../docs/protocol.md", import.meta.url));

/**
 * The names in the first column of the doc's tables whose header starts with `firstHeader` and that sit
 * under a heading matching `section`. Throws when there is no such table, so a renamed heading cannot
 * make the check pass on nothing.
 */
function documentedNames(tables: MarkdownTable[], section: RegExp, firstHeader: string): string[] {
  const found = tables.filter((t) => t.headings.some((h) => section.test(h)) && t.header[0]?.toLowerCase() === firstHeader);
  if (found.length === 0) throw new Error(`docs/protocol.md has no table with a "${firstHeader}" column under a heading matching ${section}`);
  return [...new Set(found.flatMap((t) => t.rows.flatMap((row) => codeSpans(row[0] ?? ""))))].sort();
}

function drift(inSource: string[], inDoc: string[]): { missingFromDoc: string[]; notInProtocolTs: string[] } {
  return {
    missingFromDoc: inSource.filter((n) => !inDoc.includes(n)),
    notInProtocolTs: inDoc.filter((n) => !inSource.includes(n)),
  };
}

describe("docs/protocol.md matches src/protocol.ts", () => {
  const source = readProtocolNames(PROTOCOL_TS);
  const tables = readMarkdownTables(readFileSync(PROTOCOL_MD, "utf8"));
  const none = { missingFromDoc: [], notInProtocolTs: [] };

  it("lists every client → server event, and no other, in its Client → server table", () => {
    expect(source.clientEvents).toContain("join_chat");
    const doc = documentedNames(tables, /client\s*(→|->|to)\s*server/i, "event");
    expect(drift(source.clientEvents, doc)).toEqual(none);
  });

  it("lists every server → client event, and no other, in its Server → client table", () => {
    expect(source.serverEvents).toContain("message");
    const doc = documentedNames(tables, /server\s*(→|->|to)\s*client/i, "event");
    expect(drift(source.serverEvents, doc)).toEqual(none);
  });

  it("lists every ErrorCode, and no other, in its Error codes table", () => {
    expect(source.errorCodes).toContain("internal");
    const doc = documentedNames(tables, /error codes/i, "code");
    expect(drift(source.errorCodes, doc)).toEqual(none);
  });
});

describe("readProtocolNames", () => {
  it("resolves names through the checker: re-exports, const arrays and mapped types", () => {
    const dir = mkdtempSync(join(tmpdir(), "mr-protocol-names-"));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, "events.ts"),
      `export interface ServerToClientEvents { message: (m: string) => void; presence_delta: (d: object) => void }\n`,
    );
    writeFileSync(
      join(dir, "protocol.ts"),
      [
        `export const ERROR_CODES = ["invalid_payload", "too_many_rooms"] as const;`,
        `export type ErrorCode = (typeof ERROR_CODES)[number];`,
        `const schemas = { join_chat: (raw: unknown) => raw as { room: string }, typing: (raw: unknown) => raw as { room: string } };`,
        `export type ClientToServerEvents = { [K in keyof typeof schemas]: (p: ReturnType<(typeof schemas)[K]>, ack: (r: unknown) => void) => void };`,
        `export type { ServerToClientEvents } from "./events.js";`,
      ].join("\n"),
    );
    expect(readProtocolNames(join(dir, "protocol.ts"))).toEqual({
      clientEvents: ["join_chat", "typing"],
      serverEvents: ["message", "presence_delta"],
      errorCodes: ["invalid_payload", "too_many_rooms"],
    });
  });
});

describe("readMarkdownTables", () => {
  it("files each table under its headings and skips fenced code", () => {
    const md = ["# A", "## Error codes", "| code | when |", "|---|---|", "| `x` / `y` | a \\| b |", "", "```", "| code |", "|---|", "| `z` |", "```", "## B", "| event | p |", "|---|---|", "| `e` | q |"].join("\n");
    const tables = readMarkdownTables(md);
    expect(tables).toEqual([
      { headings: ["A", "Error codes"], header: ["code", "when"], rows: [["`x` / `y`", "a \\| b"]] },
      { headings: ["A", "B"], header: ["event", "p"], rows: [["`e`", "q"]] },
    ]);
    expect(codeSpans("`x` / `y`")).toEqual(["x", "y"]);
  });
});
