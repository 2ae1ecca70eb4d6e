// Turns bench/baseline-server.ts into plain JavaScript so the baseline runs under `node` alone, as the
// app runs from dist/: a TypeScript loader in the measured process would cost it start-up time and
// memory the app does not pay. The output sits under bench/results/ (ignored by git) so `express`,
// `socket.io` and `better-sqlite3` still resolve from the project's node_modules.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));

export function buildBaseline(): string {
  const source = readFileSync(join(BENCH_DIR, "baseline-server.ts"), "utf8");
  const { outputText, diagnostics } = ts.transpileModule(source, {
    fileName: "baseline-server.ts",
    reportDiagnostics: true,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  if (diagnostics && diagnostics.length > 0) {
    throw new Error(`baseline-server.ts: ${ts.flattenDiagnosticMessageText(diagnostics[0]?.messageText ?? "", "\n")}`);
  }
  const out = join(BENCH_DIR, "results", ".baseline", "baseline-server.js");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, outputText);
  return out;
}
