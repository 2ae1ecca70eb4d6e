// Micro-benchmark of parseSend alone (issue 11): ops/s on a typical valid message, a refused one, and one
// with a 100 kB string. Several parsers can be compared in one process, rounds interleaved so that a noisy
// neighbour hurts them alike:
//   node --import tsx bench/parse-send.ts [--rounds 9] [--round-ms 500] [path/to/validation.ts ...]
// Without a path it measures this checkout's src/validation.ts.
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

type ParseSend = (raw: unknown) => { ok: boolean };

const CASES: Record<string, unknown> = {
  valid: { room: "general", username: "alice", content: "Hello everyone, this is a normal chat line.", clientId: "9f1c2b3a-4d5e-4f60-8a7b-0c1d2e3f4a5b" },
  refused: { room: "general", username: "alice", content: "" },
  huge: { room: "general", username: "alice", content: "x".repeat(100_000) },
};

let sink = 0; // keeps the results alive so the calls are not optimised away

function opsPerSecond(parse: ParseSend, raw: unknown, roundMs: number): number {
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(roundMs) * 1_000_000n;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 200; i++) sink += parse(raw).ok ? 1 : 0;
    n += 200;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { rounds: { type: "string", default: "9" }, "round-ms": { type: "string", default: "500" } },
    allowPositionals: true,
  });
  const rounds = Number(values.rounds);
  const roundMs = Number(values["round-ms"]);
  const paths = positionals.length > 0 ? positionals : ["src/validation.ts"];
  const parsers = await Promise.all(
    paths.map(async (p) => ({ path: p, parse: ((await import(pathToFileURL(resolve(p)).href)) as { parseSend: ParseSend }).parseSend })),
  );
  for (const { parse } of parsers) for (const raw of Object.values(CASES)) opsPerSecond(parse, raw, 200); // warm-up

  for (const [name, raw] of Object.entries(CASES)) {
    const samples = parsers.map(() => [] as number[]);
    for (let r = 0; r < rounds; r++) parsers.forEach(({ parse }, i) => samples[i]?.push(opsPerSecond(parse, raw, roundMs)));
    const medians = samples.map(median);
    parsers.forEach(({ path }, i) => {
      const ratio = i === 0 ? "" : `  ${(((medians[i] as number) / (medians[0] as number)) * 100).toFixed(1)} % of the first`;
      console.log(`${name.padEnd(8)} ${Math.round(medians[i] as number).toLocaleString("en").padStart(12)} ops/s  ${path}${ratio}`);
    });
  }
  if (sink < 0) console.log(sink);
}

await main();
