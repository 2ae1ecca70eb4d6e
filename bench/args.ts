// Command line of `npm run bench -- [options]`.
import { parseArgs } from "node:util";
import type { TargetName } from "./server-process.js";
import { ALL_WORKLOADS, type WorkloadId } from "./workloads.js";

export interface BenchArgs {
  isQuick: boolean;
  targets: TargetName[];
  workloads: WorkloadId[];
  /** The search workload (issue 12): `--only search`, or part of the full run. */
  isSearch: boolean;
  /** The files workload (issue 18): `--only files`, or part of the full run. */
  isFiles: boolean;
  isProfiling: boolean;
  /** The app's entry; another build (a branch, an experiment) can be measured against the baseline. */
  appEntry?: string;
  /** Workload 7's room size instead of the run's (an old build's full-list presence costs the cube of it). */
  presenceMembers?: number;
  /** Where to write the SVG charts of docs/performance.md; only a full run of both servers writes them. */
  chartDir?: string;
  /** Adds the cluster rows (1 node SQLite, 1 node and this many nodes on PostgreSQL + Redis); see cluster-rows.ts. */
  nodes?: number;
}

export const USAGE = `usage: npm run bench -- [--quick] [--target app|baseline|both] [--only 1,2,...] [--profile] [--app-entry file]
  --quick     every workload, small (CI: asserts no loss, no speed thresholds)
  --target    which servers to run (default both)
  --only      a subset of workloads 1-7, "search" (FTS vs LIKE on a 1M-message room, migration 5) and "files"
              (upload throughput; the chat's event-loop delay and delivery p99 while large images are processed)
  --profile   run each server under node --cpu-prof; profiles land in bench/results/profiles-*/
              (summarise one with: node --import tsx bench/profile-summary.ts <file.cpuprofile>)
  --app-entry the app's compiled entry (default dist/server.js)
  --presence-members  workload 7's room size (default 1000, --quick 100), reported at the run's sizes below it and at it
  --chart dir write SVG charts (throughput, p99, join time) into dir; full run of both servers only
              (npm run bench -- --chart docs/ regenerates the charts of docs/performance.md)
  --chart-force  write the charts from a --quick or partial run too (to check how they render;
              never into docs/)
  --nodes N   add the cluster rows: fan-out and join time on 1 node (SQLite), 1 node and N nodes (PostgreSQL +
              Redis, Debian's packages); --only cluster runs those rows alone`;

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      target: { type: "string", default: "both" },
      only: { type: "string" },
      profile: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
      "app-entry": { type: "string" },
      "presence-members": { type: "string" },
      chart: { type: "string" },
      "chart-force": { type: "boolean", default: false },
      nodes: { type: "string" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const targets: TargetName[] =
    values.target === "both" ? ["app", "baseline"] : values.target === "app" || values.target === "baseline" ? [values.target] : [];
  if (targets.length === 0) throw new Error(`--target must be app, baseline or both, not ${values.target}\n${USAGE}`);
  const rawNodes = values.nodes;
  const nodes = rawNodes === undefined ? undefined : Number(rawNodes);
  if (nodes !== undefined && (!Number.isSafeInteger(nodes) || nodes < 2 || nodes > 5)) throw new Error(`--nodes must be a whole number from 2 to 5, not ${rawNodes}\n${USAGE}`);
  const only = values.only?.split(",").map((w) => w.trim());
  if (only?.includes("cluster") === true && nodes === undefined) throw new Error(`--only cluster needs --nodes N\n${USAGE}`);
  const isSearch = only === undefined || only.includes("search");
  const isFiles = only === undefined || only.includes("files");
  // "cluster" selects the --nodes rows alone: no numbered workload.
  const workloads = only === undefined ? [...ALL_WORKLOADS] : only.filter((w) => w !== "search" && w !== "cluster" && w !== "files").map(parseWorkload);
  const appEntry = values["app-entry"];
  const rawMembers = values["presence-members"];
  const presenceMembers = rawMembers === undefined ? undefined : Number(rawMembers);
  if (presenceMembers !== undefined && (!Number.isSafeInteger(presenceMembers) || presenceMembers < 10)) {
    throw new Error(`--presence-members must be a whole number of at least 10, not ${rawMembers}\n${USAGE}`);
  }
  const chartDir = values.chart;
  const isFullRun = !values.quick && targets.length === 2 && workloads.length === ALL_WORKLOADS.length;
  if (chartDir !== undefined && !isFullRun && !values["chart-force"]) {
    // The docs' charts must come from the figures the docs quote, so a smaller run refuses before it starts.
    throw new Error(`--chart needs the full bench (no --quick, --only or --target); add --chart-force to write them anyway\n${USAGE}`);
  }
  return {
    isQuick: values.quick,
    targets,
    workloads,
    isSearch,
    isFiles,
    isProfiling: values.profile,
    ...(appEntry ? { appEntry } : {}),
    ...(presenceMembers !== undefined ? { presenceMembers } : {}),
    ...(chartDir !== undefined ? { chartDir } : {}),
    ...(nodes !== undefined ? { nodes } : {}),
  };
}

function parseWorkload(text: string): WorkloadId {
  const id = ALL_WORKLOADS.find((w) => String(w) === text);
  if (id === undefined) throw new Error(`--only takes workload numbers 1-7, not "${text}"\n${USAGE}`);
  return id;
}
