/* global process, console */
// Reads `npm audit --json` from stdin and decides: a report with high or critical advisories fails (exit 1);
// a report without passes; npm's own error object (registry unreachable, or an endpoint that answers
// 405 as some mirrors do) is said as "advisory service unavailable" and passes; anything else fails,
// so a changed output format cannot pass silently.
let text = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) text += chunk;

let report;
try {
  report = JSON.parse(text);
} catch {
  console.error(`npm audit: output is not JSON, cannot judge it:\n${text.slice(0, 500)}`);
  process.exit(1);
}

const counts = report?.metadata?.vulnerabilities;
if (counts && typeof counts === "object") {
  console.log(`npm audit (production deps): ${JSON.stringify(counts)}`);
  const serious = (counts.high ?? 0) + (counts.critical ?? 0);
  if (serious > 0) {
    for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
      if (v.severity === "high" || v.severity === "critical") console.error(`  ${v.severity}: ${name} ${v.range ?? ""}`);
    }
    console.error(`npm audit: ${serious} high or critical advisories`);
    process.exit(1);
  }
  process.exit(0);
}

if (report?.error && typeof report.error === "object") {
  const why = report.statusCode ? `HTTP ${report.statusCode}` : (report.error.code ?? report.code ?? "no answer");
  console.log(`npm audit: advisory service unavailable (${why}: ${report.message ?? report.error.summary ?? ""}), not checked`);
  process.exit(0);
}

console.error(`npm audit: neither a report nor an error in its output:\n${text.slice(0, 500)}`);
process.exit(1);
