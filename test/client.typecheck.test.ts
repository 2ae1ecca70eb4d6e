// The page's type check bites: the page's JavaScript, checked by tsconfig.client.json against a copy of
// src/protocol.ts (and the src/protocol/ files it re-exports), passes as it is and fails, naming the page file,
// once a field the page reads is renamed.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it, onTestFinished } from "vitest";

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, "..");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");
/** tsc over the page takes a few seconds alone, more on a loaded machine. */
const TSC_TIMEOUT_MS = 60_000;

/** A copy of what the client check reads (the page, src/, the config and its type shims) in a temp folder. */
function copyForCheck(): string {
  const dir = mkdtempSync(join(tmpdir(), "mr-client-check-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  for (const part of ["public", "src", "types", "tsconfig.client.json"]) cpSync(join(ROOT, part), join(dir, part), { recursive: true });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

async function checkPage(dir: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(process.execPath, [TSC, "-p", join(dir, "tsconfig.client.json")], { cwd: dir, timeout: TSC_TIMEOUT_MS });
    return { ok: true, output: stdout };
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}

/** Renames the first `sender` field after the declaration of WireMessage (interface, type or schema). */
function renameSender(protocol: string): string {
  const decl = /\b(interface|type|const)\s+WireMessage\b/.exec(protocol);
  if (!decl) throw new Error("WireMessage is not declared here");
  const head = protocol.slice(0, decl.index);
  const tail = protocol.slice(decl.index).replace(/\bsender(\??\s*:)/, "author$1");
  return head + tail;
}

describe("the page's type check against the protocol", () => {
  it("passes on an unmodified copy, and fails naming the page's file when WireMessage.sender becomes author", { timeout: 2 * TSC_TIMEOUT_MS }, async () => {
    const [intact, renamed] = [copyForCheck(), copyForCheck()];
    const protocolPath = join(renamed, "src", "protocol", "messages.ts");
    const original = readFileSync(protocolPath, "utf8");
    const changed = renameSender(original);
    expect(changed).not.toBe(original);
    writeFileSync(protocolPath, changed);

    const [good, bad] = await Promise.all([checkPage(intact), checkPage(renamed)]);

    expect(good).toEqual({ ok: true, output: "" });
    expect(bad.ok).toBe(false);
    // The page reads msg.sender when it renders and when it tells own messages apart.
    expect(bad.output).toMatch(/public\/js\/[a-z-]+\.js\(\d+,\d+\): error TS2339: Property 'sender' does not exist/);
  });
});
