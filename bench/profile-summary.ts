// Summarises a V8 .cpuprofile (from `npm run bench -- --profile`) as text: where the server's own CPU
// time went, by package or source file and by function, so a slow workload can be read without a
// browser's DevTools. Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [seconds]
// (seconds: only the profile's first seconds, e.g. a restarted server's spawn until every client was back).
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

const DEFAULT_TOP = 25;

function main(): void {
  const [file, topArg, secondsArg] = process.argv.slice(2);
  if (file === undefined) {
    console.error("usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [seconds]");
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const selfMs = selfTimeByNode(profile, secondsArg === undefined ? Infinity : Number(secondsArg) * 1e6);
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    if (node.callFrame.functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    totalMs += ms;
    const place = placeOf(node.callFrame);
    const fn = `${node.callFrame.functionName || "(anonymous)"}  ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
    byPlace.set(place, (byPlace.get(place) ?? 0) + ms);
  }
  const top = Number(topArg ?? DEFAULT_TOP);
  console.log(`${file}${secondsArg === undefined ? "" : ` (its first ${secondsArg} s)`}\nbusy ${(totalMs / 1000).toFixed(2)} s, idle ${(idleMs / 1000).toFixed(2)} s (self time; % of busy)\n`);
  print("by package / file", byPlace, totalMs, top);
  print("by function", byFunction, totalMs, top);
}

/** Self time per node from the sample stream (exact; up to `untilUs` after the start), falling back to hit counts. */
function selfTimeByNode(profile: CpuProfile, untilUs: number): Map<number, number> {
  const self = new Map<number, number>();
  const { samples, timeDeltas } = profile;
  if (samples && timeDeltas && samples.length === timeDeltas.length) {
    // timeDeltas[i] is the time before sample i; attribute the gap after a sample to that sample.
    let atUs = 0;
    for (let i = 0; i < samples.length; i++) {
      atUs += timeDeltas[i] ?? 0;
      if (atUs > untilUs) break;
      const id = samples[i] ?? 0;
      const gapUs = timeDeltas[i + 1] ?? 0;
      self.set(id, (self.get(id) ?? 0) + gapUs / 1000);
    }
    return self;
  }
  const hits = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const msPerHit = hits > 0 ? (profile.endTime - profile.startTime) / 1000 / hits : 0;
  for (const node of profile.nodes) self.set(node.id, (node.hitCount ?? 0) * msPerHit);
  return self;
}

/** node_modules/<package>, a file of ours, a Node internal, or a V8 pseudo-frame like (garbage collector). */
function placeOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) {
    const rest = url.slice(nm + "node_modules/".length).split("/");
    return rest[0]?.startsWith("@") ? `${rest[0]}/${rest[1] ?? ""}` : (rest[0] ?? url);
  }
  if (url.startsWith("node:")) return url;
  return shortUrl(url);
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + "node_modules/".length);
  const dist = url.lastIndexOf("/dist/");
  if (dist >= 0) return url.slice(dist + 1);
  const bench = url.lastIndexOf("/bench/");
  return bench >= 0 ? url.slice(bench + 1) : url;
}

function print(title: string, totals: Map<string, number>, totalMs: number, top: number): void {
  console.log(title);
  for (const [name, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${((100 * ms) / totalMs).toFixed(1).padStart(5)}%  ${ms.toFixed(0).padStart(7)} ms  ${name}`);
  }
  console.log("");
}

main();
