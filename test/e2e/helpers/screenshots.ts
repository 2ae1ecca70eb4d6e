// Where the screenshot test writes: docs/ only when asked (UPDATE_SCREENSHOTS=1), otherwise a temporary
// folder, so a CI run or a plain `npm run test:e2e` never rewrites committed images.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const DOCS_DIR = fileURLToPath(new URL("../../../docs/", import.meta.url));

export function screenshotDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.UPDATE_SCREENSHOTS === "1" ? DOCS_DIR : mkdtempSync(join(tmpdir(), "mr-screenshots-"));
}

let dir: string | null = null;

/** Saves a screenshot of `page` as `name` in the screenshot folder (docs/ with UPDATE_SCREENSHOTS=1). */
export async function saveScreenshot(page: import("playwright-core").Page, name: string): Promise<string> {
  dir ??= screenshotDir();
  const path = join(dir, name);
  await page.screenshot({ path });
  return path;
}
