// One node at the share of traffic each node carried in the 5-node --scale run (issue 21 §3): the full bench's 30
// rooms per placement over 5 nodes are 6 rooms a node, so this runs one node with 6 rooms per placement. Whether
// its CPU per delivery matches the 5-node row (rate per node) or the 1-node row (the node count) separates the two.
//   npm run build && node --import tsx bench/scale-per-node.ts [rooms]
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readLoadAverage } from "./proc-stats.js";
import { formatScaleTable, formatServicesTable } from "./scale-math.js";
import { FULL_SCALE_SIZES, runScaleBench } from "./scale.js";

const rooms = Number(process.argv[2] ?? "6");
const sizes = { ...FULL_SCALE_SIZES, nodeCounts: [1], rooms };
const workDir = mkdtempSync(join(tmpdir(), "messenger-scale-per-node-"));
console.log(`one node, ${rooms} rooms × ${sizes.members} members per placement at ${sizes.rate} msg/s; load average ${readLoadAverage()}`);
try {
  const rows = await runScaleBench({ sizes, appEntry: resolve("dist/server.js"), workDir, progress: (line) => console.log(`[bench] ${line}`) });
  console.log(`\n${formatScaleTable(rows)}\n\n${formatServicesTable(rows)}\nload average at the end ${readLoadAverage()}`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
