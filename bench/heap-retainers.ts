// Who holds the objects of one kind in a heap snapshot (issue 20): for every node named `name` (a constructor,
// "IncomingMessage"; or a type, "array"), the chain of retainers above it, by the retainer's kind and the edge's
// name, counted. Run on the snapshots `HEAP_KEEP_DIR=<dir> node --import tsx bench/heap-per-connection.ts` keeps:
//   node --import tsx bench/heap-retainers.ts <file.heapsnapshot> <name> [depth]
import { readFileSync } from "node:fs";

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]]; edge_fields: string[]; edge_types: [string[], ...unknown[]] } };
  nodes: number[];
  edges: number[];
  strings: string[];
}

const [file, wanted, depthArg] = process.argv.slice(2);
if (!file || !wanted) throw new Error("usage: heap-retainers.ts <file.heapsnapshot> <name> [depth]");
const depth = Number(depthArg ?? 5);
const heap = JSON.parse(readFileSync(file, "utf8")) as HeapSnapshot;
const { node_fields: nf, node_types: nt, edge_fields: ef, edge_types: et } = heap.snapshot.meta;
const N = nf.length;
const E = ef.length;
const nodeCount = heap.nodes.length / N;
const typeOf = (n: number): string => nt[0][heap.nodes[n * N + nf.indexOf("type")] as number] ?? "?";
const nameOf = (n: number): string => heap.strings[heap.nodes[n * N + nf.indexOf("name")] as number] ?? "?";
const label = (n: number): string => (typeOf(n) === "object" || typeOf(n) === "closure" ? `${typeOf(n)}:${nameOf(n).slice(0, 40)}` : typeOf(n));

// Reverse edges: for each node, who points at it and by which edge.
const retainers: { from: number; edge: string }[][] = Array.from({ length: nodeCount }, () => []);
let edgeIndex = 0;
for (let n = 0; n < nodeCount; n++) {
  const count = heap.nodes[n * N + nf.indexOf("edge_count")] as number;
  for (let i = 0; i < count; i++, edgeIndex++) {
    const at = edgeIndex * E;
    const type = et[0][heap.edges[at + ef.indexOf("type")] as number] ?? "?";
    if (type === "weak" || type === "shortcut") continue;
    const nameOrIndex = heap.edges[at + ef.indexOf("name_or_index")] as number;
    const edge = type === "element" || type === "hidden" ? `[${type}]` : (heap.strings[nameOrIndex] ?? "?");
    const to = (heap.edges[at + ef.indexOf("to_node")] as number) / N;
    retainers[to]?.push({ from: n, edge });
  }
}

const paths = new Map<string, number>();
let matched = 0;
for (let n = 0; n < nodeCount; n++) {
  if (nameOf(n) !== wanted && typeOf(n) !== wanted) continue;
  matched++;
  let chain = label(n);
  let at = n;
  for (let d = 0; d < depth; d++) {
    const up = retainers[at]?.find((r) => typeOf(r.from) !== "synthetic") ?? retainers[at]?.[0];
    if (!up) break;
    chain = `${label(up.from)}.${up.edge} → ${chain}`;
    at = up.from;
  }
  paths.set(chain, (paths.get(chain) ?? 0) + 1);
}
console.log(`${matched} nodes named ${wanted}`);
for (const [chain, count] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${String(count).padStart(6)}  ${chain}`);
