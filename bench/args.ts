// Command line of `npm run bench -- [options]`.
import { parseArgs } from "node:util";
import type { TargetName } from "./server-process.js";
import type { ScaleShare } from "./scale.js";
import type { StormSignal } from "./storm-plan.js";
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
  /** Adds the cluster rows (1 node SQLite, 1 node and this many nodes on PostgreSQL + Redis); see cluster-rows.ts. With --storm: the storm on this many nodes. */
  nodes?: number;
  /** The restart storm of issue 19 instead of the workloads (storm-main.ts). */
  storm?: StormArgs;
  /** Issue 21 §3's scale-out measurement instead of the workloads (scale-main.ts). */
  isScale: boolean;
  /** --share: the scale bench's load, the same per node (default) or the same in all. */
  scaleShare: ScaleShare;
}

export interface StormArgs {
  /** Default 10,000 (--quick 300). */
  clients?: number;
  /** Default 250 (--quick 10). */
  rooms?: number;
  /** Default SIGTERM then SIGKILL (--quick: SIGTERM). */
  signals?: StormSignal[];
  /** --server-env K=V,K=V: the app's variables for this run (e.g. NAME_GRACE_MS), over the bench's own. */
  serverEnv?: Record<string, string>;
  /** --loadgen-nice: the client workers' CPU priority, 0-19 (default DEFAULT_LOADGEN_NICE). */
  loadgenNice?: number;
}

export const USAGE = `usage: npm run bench -- [--quick] [--target app|baseline|both] [--only 1,2,...] [--profile] [--app-entry file]
       npm run bench -- --scale [--share node|total] [--quick] [--chart dir]
       npm run bench -- --storm [--quick] [--nodes N] [--app-entry file] [--clients N] [--rooms N] [--signal term|kill|both]
                               [--profile] [--chart dir]
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
              Redis, Debian's packages); --only cluster runs those rows alone
  --scale     scale-out (issue 21): 1, 2, 3 and 5 nodes on PostgreSQL + Redis (Debian's), rooms placed per node,
              spread round robin, and through the documented nginx (placed by the page's room); CPU per delivery
              per node, the foreign cost, PostgreSQL's and Redis's CPU and Redis's bytes per message, from /proc
              and INFO (about 10 minutes; --quick about 2). Runs alone; --chart dir writes bench-scale.svg
              (bench-scale-total.svg with --share total). Table printed and written to bench/results/scale-*.json
    --share node|total  node (default): 6 rooms per placement per node, so every node is as busy at every
              size (how a cluster grows with its users); total: the same 30 rooms at every size, so each node's
              load falls as 1/N
  --storm     the restart storm (issue 19) alone: 10,000 clients in 250 rooms of 40 (4 child processes), one
              sender per room at 1 message/s; the node gets SIGTERM, then in a second run SIGKILL, and is started
              again on the same port; timed until every client is back in its room, every confirmed message
              checked against every client. Table printed and written to bench/results/storm-*.json
    --quick   1,000 clients in 25 rooms, SIGTERM only, under a minute (CI); exits 1 on any loss or live
              duplicate, or a client that never comes back (never on speed)
    --nodes N on N nodes (PostgreSQL + Redis, Debian's) spread round robin; node 0 restarts, the others carry on
    --app-entry file  also run the storm against that build (e.g. a previous commit's dist/server.js): the
              table and chart put this build (dist/server.js) beside it
    --clients N, --rooms N   the storm's size (clients are spread evenly over the rooms)
    --server-env K=V,...  the app's variables for the run (e.g. NAME_GRACE_MS=60000), over the bench's own
    --signal term|kill|both  which restarts to run (default both; --quick: term)
    --loadgen-nice N  the client workers' CPU priority, 0-19 (default 10): they stand for browsers on other
              machines, so they yield the cores to the server when both want one; 0 runs them at the bench's own
    --profile the restarted server runs under node --cpu-prof (bench/results/profiles-*/, written at its exit)
    --chart dir  write bench-storm-<N>-node(s).svg (clients back and server CPU over time) into dir`;

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
      storm: { type: "boolean", default: false },
      scale: { type: "boolean", default: false },
      share: { type: "string" },
      clients: { type: "string" },
      rooms: { type: "string" },
      signal: { type: "string" },
      "server-env": { type: "string" },
      "loadgen-nice": { type: "string" },
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
  const storm = values.storm ? parseStorm(values) : undefined;
  if (!values.storm && (values.clients !== undefined || values.rooms !== undefined || values.signal !== undefined || values["server-env"] !== undefined || values["loadgen-nice"] !== undefined)) {
    throw new Error(`--clients, --rooms, --signal, --server-env and --loadgen-nice belong to --storm\n${USAGE}`);
  }
  if (values.scale && (values.storm || values.only !== undefined || values.target !== "both" || nodes !== undefined || values["presence-members"] !== undefined || values.profile)) {
    // The scale bench chooses its own cluster sizes and runs the app alone.
    throw new Error(`--scale runs alone: no --storm, --only, --target, --nodes, --presence-members or --profile\n${USAGE}`);
  }
  if (values.share !== undefined && (!values.scale || (values.share !== "node" && values.share !== "total"))) {
    throw new Error(`--share is node or total, and belongs to --scale\n${USAGE}`);
  }
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
  // The storm's chart is its own file (bench-storm-*.svg); only a quick run's is held back, as the workloads' are.
  const isFullRun = !values.quick && (storm !== undefined || values.scale || (targets.length === 2 && workloads.length === ALL_WORKLOADS.length));
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
    ...(storm !== undefined ? { storm } : {}),
    isScale: values.scale,
    scaleShare: values.share === "total" ? "total" : "node",
  };
}

function parseStorm(values: {
  only?: string;
  target?: string;
  "presence-members"?: string;
  clients?: string;
  rooms?: string;
  signal?: string;
  "server-env"?: string;
  "loadgen-nice"?: string;
}): StormArgs {
  // The storm is a run of its own: the workloads' selectors mean nothing to it.
  if (values.only !== undefined || values.target !== "both" || values["presence-members"] !== undefined) {
    throw new Error(`--storm runs alone: no --only, --target or --presence-members\n${USAGE}`);
  }
  const clients = wholeNumber("--clients", values.clients, 2);
  const rooms = wholeNumber("--rooms", values.rooms, 1);
  if (clients !== undefined && rooms !== undefined && rooms > clients) throw new Error(`--rooms (${rooms}) cannot exceed --clients (${clients})\n${USAGE}`);
  const signal = values.signal;
  const signals: StormSignal[] | undefined = signal === undefined ? undefined : signal === "both" ? ["term", "kill"] : signal === "term" || signal === "kill" ? [signal] : [];
  if (signals?.length === 0) throw new Error(`--signal must be term, kill or both, not ${signal}\n${USAGE}`);
  const serverEnv = values["server-env"] === undefined ? undefined : parseServerEnv(values["server-env"]);
  const loadgenNice = wholeNumber("--loadgen-nice", values["loadgen-nice"], 0);
  if (loadgenNice !== undefined && loadgenNice > 19) throw new Error(`--loadgen-nice must be from 0 to 19, not ${loadgenNice}\n${USAGE}`);
  return {
    ...(loadgenNice !== undefined ? { loadgenNice } : {}),
    ...(clients !== undefined ? { clients } : {}),
    ...(rooms !== undefined ? { rooms } : {}),
    ...(signals !== undefined ? { signals } : {}),
    ...(serverEnv !== undefined ? { serverEnv } : {}),
  };
}

/** "NAME_GRACE_MS=60000,JOIN_LOOP_BUSY_MS=80": upper-case names only, so a typo cannot pass for a value. */
function parseServerEnv(raw: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of raw.split(",")) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(pair.trim());
    if (match === null) throw new Error(`--server-env takes NAME=value pairs separated by commas, not "${pair}"\n${USAGE}`);
    env[match[1] as string] = match[2] as string;
  }
  return env;
}

function wholeNumber(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new Error(`${flag} must be a whole number of at least ${min}, not ${raw}\n${USAGE}`);
  return n;
}

function parseWorkload(text: string): WorkloadId {
  const id = ALL_WORKLOADS.find((w) => String(w) === text);
  if (id === undefined) throw new Error(`--only takes workload numbers 1-7, not "${text}"\n${USAGE}`);
  return id;
}
