// The seams of src/ (docs/architecture.md): storage/ never sees a socket or a route, chat/ never reaches into
// http/, and the pure helpers in shared/ depend on nothing of the app. Checked on the import lines themselves,
// so a helper moved back up (say, nameKey into chat/) fails here, not in review.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** The src/ folders (or top-level files) a file imports from, type-only imports included. */
function importedFolders(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const folders: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\b[^;]*?from\s+"(\.[^"]+)"/gms)) {
    const target = relative(SRC, join(file, "..", m[1] as string));
    folders.push(target.includes("/") ? (target.split("/")[0] as string) : target);
  }
  return folders;
}

/** Which folders each folder may not import from. */
const FORBIDDEN: Record<string, string[]> = {
  shared: ["chat", "http", "storage", "cluster", "access", "app.js", "config.js", "protocol.js"],
  access: ["chat", "http", "cluster", "storage", "app.js"],
  storage: ["chat", "http", "cluster", "files", "app.js"],
  files: ["chat", "http", "cluster", "app.js"],
  chat: ["http", "app.js"],
};

describe("layering of src/", () => {
  for (const [folder, banned] of Object.entries(FORBIDDEN)) {
    it(`${folder}/ imports nothing from ${banned.join(", ")}`, () => {
      const offenders = filesUnder(join(SRC, folder)).flatMap((file) =>
        importedFolders(file)
          .filter((f) => banned.includes(f))
          .map((f) => `${relative(SRC, file)} -> ${f}`),
      );
      expect(offenders).toEqual([]);
    });
  }

  it("sees the imports it checks (a file of chat/ importing shared/ is found)", () => {
    expect(importedFolders(join(SRC, "chat", "mentions.ts"))).toContain("shared");
  });
});
