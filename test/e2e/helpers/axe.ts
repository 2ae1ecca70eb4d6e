// axe-core in a page (injected as a script tag: use a browser profile with bypassCSP), and the
// serious or critical findings of a scan, light and dark.
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

export interface AxeViolation {
  id: string;
  impact: "minor" | "moderate" | "serious" | "critical" | null;
  help: string;
  nodes: { target: string[] }[];
}

export async function axeScan(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE_PATH });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const res = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] } });
    return res.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
}

/** "page light: rule (n): help" for every serious or critical finding, in light and dark. */
export async function blockingFindings(page: Page, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const v of await axeScan(page)) {
      if (v.impact === "serious" || v.impact === "critical") found.push(`${name} ${colorScheme}: ${v.id} (${v.nodes.map((n) => n.target.join(" ")).join(", ")}): ${v.help}`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  return found;
}
