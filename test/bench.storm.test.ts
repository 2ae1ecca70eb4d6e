// The restart storm bench's pure parts (bench/storm-*.ts), fed what a run feeds them: the ledger from real
// outboxes, receipts, returns, the CPU steps, the window summaries, the verdict, the command line and the chart.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it, onTestFinished, vi } from "vitest";
import { parseBenchArgs } from "../bench/args.js";
import { renderStormChart } from "../bench/storm-chart.js";
import { composeContent, parseContent } from "../bench/storm-content.js";
import type { SenderReport, VerifyReply } from "../bench/storm-messages.js";
import { Observations } from "../bench/storm-observations.js";
import { StormOutbox, composeSlot, type SendOutcome } from "../bench/storm-outbox.js";
import { failoverStride, planClients, splitForWorkers } from "../bench/storm-plan.js";
import { Receipts } from "../bench/storm-receipts.js";
import { DEFAULT_LOADGEN_NICE, forkNiced } from "../bench/niced-fork.js";
import { formatStormTable, stormFailures } from "../bench/storm-report.js";
import { ReturnTracker } from "../bench/storm-returns.js";
import { cpuPerStep } from "../bench/storm-sampler.js";
import { confirmedByRoom, ledgerOf, mergeDelivery, summarizeWindow } from "../bench/storm-summary.js";
import type { StormRunResult } from "../bench/storm.js";

describe("restart storm bench: a client's receipts against the ledger", () => {
  it("counts a confirmed message that reached the client by no path as lost, and a second live copy as a live duplicate", () => {
    const r = new Receipts();
    r.record(0, "live");
    r.record(2, "live");
    r.record(2, "live");
    const check = r.check(new Set([0, 1, 2]));
    expect(check).toMatchObject({ lost: 1, lostSeqs: [1], liveDuplicates: 1, duplicatedSeqs: [2], liveAndHistory: 0, historyRepeats: 0 });
  });

  it("counts a message seen live and in a catch-up apart from a duplicate (the page shows it once), and a second catch-up copy as a repeat", () => {
    const r = new Receipts();
    expect(r.record(5, "live")).toBe(true);
    expect(r.record(5, "history")).toBe(false);
    r.record(6, "history");
    r.record(6, "history");
    const check = r.check(new Set([5, 6]));
    expect(check).toMatchObject({ lost: 0, liveDuplicates: 0, liveAndHistory: 1, historyRepeats: 1 });
  });

  it("counts what arrived without ever being confirmed to its sender", () => {
    const r = new Receipts();
    r.record(100, "live");
    expect(r.check(new Set())).toMatchObject({ lost: 0, unconfirmedReceived: 1 });
  });
});

describe("restart storm bench: message text", () => {
  it("reads back the room, sequence number and compose time, and refuses another run's text or a plain message", () => {
    const text = composeContent("st1", { roomIndex: 7, seq: 42, composedAtMs: 123.456 });
    expect(parseContent("st1", text)).toEqual({ roomIndex: 7, seq: 42, composedAtMs: 123.5 });
    expect(parseContent("st2", text)).toBeNull();
    expect(parseContent("st1", "hello there")).toBeNull();
    expect(parseContent("st1", "st1 r7 #x @1")).toBeNull();
  });
});

describe("restart storm bench: every client back", () => {
  afterEach(() => vi.useRealTimers());

  it("waits for every client the restart cut off to be answered ok since the signal, with no client out; its time is the last answer's", async () => {
    const t = new ReturnTracker(3);
    for (const c of [0, 1, 2]) t.onState(c, true, 10);
    const back = t.waitAllBack(100, [0, 1], 60_000);
    let isBack = false;
    void back.then(() => (isBack = true));
    t.onState(0, false, 101);
    t.onState(1, false, 101);
    t.onState(2, false, 102); // not cut off by the restart, but out: it must come back too
    t.onState(0, true, 150);
    t.onState(1, true, 170);
    await Promise.resolve();
    expect(isBack).toBe(false);
    t.onState(2, true, 160);
    const result = await back;
    expect(result).toMatchObject({ atMs: 170, returned: 3 });
    expect(result?.returnMs.sort((a, b) => a - b)).toEqual([50, 60, 70]);
  });

  it("counts reports stamped after the signal that arrived before the wait began", async () => {
    const t = new ReturnTracker(1);
    t.onState(0, true, 10);
    t.onState(0, false, 101);
    t.onState(0, true, 140);
    expect(await t.waitAllBack(100, [0], 60_000)).toMatchObject({ atMs: 140, returned: 1 });
  });

  it("gives up at the deadline with null", async () => {
    vi.useFakeTimers();
    const t = new ReturnTracker(1);
    t.onState(0, true, 10);
    const back = t.waitAllBack(100, [0], 1000);
    t.onState(0, false, 101);
    vi.advanceTimersByTime(1000);
    expect(await back).toBeNull();
  });

  it("draws the timeline: returns per bucket and clients in their room at each bucket's end", () => {
    const t = new ReturnTracker(2);
    t.onState(0, true, 0);
    t.onState(1, true, 0);
    t.onState(0, false, 1000);
    t.onState(1, false, 1001);
    t.onState(0, true, 1300);
    t.onState(1, true, 1600);
    expect(t.timeline(1000, 1600, 250)).toEqual([
      { atMs: 250, cameBack: 0, inRoom: 0 },
      { atMs: 500, cameBack: 1, inRoom: 1 },
      { atMs: 750, cameBack: 1, inRoom: 2 },
    ]);
  });
});

describe("restart storm bench: plan and command line", () => {
  it("spreads each room over every worker and node; the first client of each room sends", () => {
    const specs = planClients(12, 3, 3);
    expect(specs.filter((s) => s.isSender).map((s) => s.roomIndex)).toEqual([0, 1, 2]);
    expect(specs.every((s) => s.roomSize === 4)).toBe(true);
    const room0 = specs.filter((s) => s.roomIndex === 0);
    expect(new Set(room0.map((s) => s.nodeIndex)).size).toBe(3);
    const workers = splitForWorkers(specs, 3, 4);
    expect(workers).toHaveLength(4);
    for (const part of workers) expect(new Set(part.map((s) => s.roomIndex)).size).toBe(3);
  });

  it("takes --storm with both signals by default, one with --signal, and refuses what does not belong to it", () => {
    expect(parseBenchArgs(["--storm", "--quick"]).storm).toEqual({});
    expect(parseBenchArgs(["--storm", "--signal", "both"]).storm).toEqual({ signals: ["term", "kill"] });
    expect(parseBenchArgs(["--storm", "--app-entry", "/tmp/prev/dist/server.js", "--profile"])).toMatchObject({ appEntry: "/tmp/prev/dist/server.js", isProfiling: true, storm: {} });
    expect(parseBenchArgs(["--storm", "--clients", "500", "--rooms", "5", "--signal", "kill", "--nodes", "3"])).toMatchObject({ storm: { clients: 500, rooms: 5, signals: ["kill"] }, nodes: 3 });
    expect(() => parseBenchArgs(["--clients", "500"])).toThrow(/belong to --storm/);
    expect(() => parseBenchArgs(["--storm", "--only", "1"])).toThrow(/runs alone/);
    expect(() => parseBenchArgs(["--storm", "--signal", "hup"])).toThrow(/term, kill or both/);
    expect(() => parseBenchArgs(["--storm", "--quick", "--chart", "docs/"])).toThrow(/--chart-force/);
    expect(parseBenchArgs(["--storm", "--chart", "docs/"]).chartDir).toBe("docs/");
  });

  it("takes --loadgen-nice from 0 to 19, with --storm only", () => {
    expect(parseBenchArgs(["--storm", "--loadgen-nice", "0"]).storm).toEqual({ loadgenNice: 0 });
    expect(parseBenchArgs(["--storm", "--loadgen-nice", "19"]).storm).toEqual({ loadgenNice: 19 });
    expect(() => parseBenchArgs(["--storm", "--loadgen-nice", "20"])).toThrow(/from 0 to 19/);
    expect(() => parseBenchArgs(["--storm", "--loadgen-nice", "-1"])).toThrow();
    expect(() => parseBenchArgs(["--loadgen-nice", "5"])).toThrow(/belong to --storm/);
  });
});

// The load generator yields the cores to the server it measures: each worker, and every thread in it, runs niced.
describe("restart storm bench: the load generator's priority", () => {
  /** Forks a child that reports the nice value of each of its threads, read from /proc. */
  async function childThreadNices(nice: number): Promise<number[]> {
    const script = join(mkdtempSync(join(tmpdir(), "niced-")), "report.mjs");
    onTestFinished(() => rmSync(dirname(script), { recursive: true, force: true }));
    writeFileSync(
      script,
      `import { readdirSync, readFileSync } from "node:fs";
const tasks = readdirSync("/proc/self/task");
// field 19 of /proc/<tid>/stat is the nice value; the name in field 2 may hold spaces, so count after its ")"
const nices = tasks.map((t) => Number(readFileSync("/proc/self/task/" + t + "/stat", "utf8").split(") ")[1].split(" ")[16]));
process.send(nices, () => process.exit(0));
`,
    );
    const child = forkNiced(script, [], nice, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return new Promise((resolve, reject) => {
      child.once("message", (m) => resolve(m as number[]));
      child.once("error", reject);
    });
  }

  it("runs every thread of a worker at the given nice, and at the bench's own with 0", async () => {
    const niced = await childThreadNices(DEFAULT_LOADGEN_NICE);
    expect(niced.length).toBeGreaterThan(1); // the event loop's thread and V8's and libuv's
    expect(new Set(niced)).toEqual(new Set([DEFAULT_LOADGEN_NICE]));
    expect(new Set(await childThreadNices(0))).toEqual(new Set([0]));
  });
});

describe("restart storm bench: the ledger from the senders' outboxes", () => {
  afterEach(() => vi.useRealTimers());

  it("owes every member what the outbox confirmed (by ack, by duplicate ack, by its own copy), keeps a send in flight over a drop, and holds the queue's order", async () => {
    vi.useFakeTimers();
    const answers: ((res: SendOutcome) => void)[] = [];
    const sent: string[] = [];
    const clientIds: string[] = [];
    let isUp = true;
    let idle = 0;
    const outbox = new StormOutbox({
      compose: (seq) => `m${seq}`,
      emit: (payload) => {
        sent.push(payload.content);
        clientIds.push(payload.clientId);
        return new Promise((resolve) => answers.push(resolve));
      },
      canSend: () => isUp,
      onNotInRoom: () => undefined,
      onIdle: () => idle++,
    });
    outbox.start(1000, 0);
    await vi.advanceTimersByTimeAsync(0); // m0 composed and sent
    answers.shift()?.({ ok: true, id: 10, isDuplicate: false });
    await vi.advanceTimersByTimeAsync(1000); // m1 composed and sent; the connection drops before its answer
    isUp = false;
    outbox.disconnected();
    answers.shift()?.({ ok: false, code: "disconnected" });
    await vi.advanceTimersByTimeAsync(1000); // m2 composed while offline: held behind m1
    expect(sent).toEqual(["m0", "m1"]);
    isUp = true;
    outbox.pump(); // the rejoin: m1 goes again with the same clientId, the server says it had it
    await vi.advanceTimersByTimeAsync(0);
    answers.shift()?.({ ok: true, id: 11, isDuplicate: true });
    await vi.advanceTimersByTimeAsync(0);
    expect(sent).toEqual(["m0", "m1", "m1", "m2"]);
    expect(clientIds[2]).toBe(clientIds[1]);
    // m2's own copy arrives live before its ack: confirmed by receipt; the later ack changes nothing.
    outbox.stop();
    expect(idle).toBe(0);
    outbox.confirmByReceipt(clientIds[3] ?? "", 12);
    answers.shift()?.({ ok: true, id: 12, isDuplicate: false });
    await vi.advanceTimersByTimeAsync(0);
    expect(idle).toBeGreaterThan(0);

    const report: SenderReport = { roomIndex: 3, composed: outbox.composed(), confirmed: outbox.confirmed, pending: outbox.pending(), givenUp: outbox.givenUp, failures: Object.fromEntries(outbox.failures) };
    const stopped = [{ isIdle: true, senders: [report] }];
    expect(ledgerOf(stopped)).toEqual({ composed: 3, confirmedByAck: 1, confirmedByDuplicateAck: 1, confirmedByReceipt: 1, pendingAtEnd: 0, givenUp: 0, sendFailures: {} });
    const owed = confirmedByRoom(stopped);
    expect(owed).toEqual({ 3: [0, 1, 2] });

    // A member that got m0 live and m1, m2 in its catch-up after the restart has all of them, none twice live.
    const member = new Receipts();
    member.record(0, "live");
    member.record(1, "history");
    member.record(2, "history");
    member.record(2, "live");
    expect(member.check(new Set(owed[3]))).toMatchObject({ lost: 0, liveDuplicates: 0, liveAndHistory: 1 });
  });
});

describe("restart storm bench: senders keep their own pace through a stall", () => {
  /** When a sender composes over `untilMs` if its worker's loop runs timers only outside the stall [stallFrom, stallTo). */
  function composeTimes(firstMs: number, stallFrom: number, stallTo: number, untilMs: number): number[] {
    const times: number[] = [];
    let due = firstMs;
    let slot = 0;
    while (due < untilMs) {
      const ranAt = due >= stallFrom && due < stallTo ? stallTo : due; // a timer due in the stall runs when it ends
      times.push(ranAt);
      const next = composeSlot(firstMs, 1000, slot, ranAt);
      slot = next.slot;
      due = ranAt + next.delayMs;
    }
    return times;
  }

  it("two senders half a second apart are half a second apart again after a stall that made both late", () => {
    const a = composeTimes(100, 1050, 1700, 5000);
    const b = composeTimes(600, 1050, 1700, 5000);
    expect(a).toEqual([100, 1700, 2100, 3100, 4100]);
    expect(b).toEqual([600, 1700, 2600, 3600, 4600]);
    // setInterval would have re-armed both at 1700 + 1000: in step (2700, 3700, 4700) for the rest of the run.
  });

  it("skips a slot the stall swallowed whole instead of composing it on top of the next", () => {
    expect(composeTimes(0, 500, 2300, 5000)).toEqual([0, 2300, 3000, 4000]);
    expect(composeSlot(0, 1000, 0, 2300)).toEqual({ slot: 3, delayMs: 700 });
    expect(composeSlot(0, 1000, 0, 3)).toEqual({ slot: 1, delayMs: 997 });
  });
});

describe("restart storm bench: where a failed node's clients go", () => {
  it("spreads them evenly over the other nodes, as a round-robin balancer would (a step of 1 sent them all to the next node)", () => {
    for (const nodes of [2, 3, 5]) {
      const landed = new Map<number, number>();
      const clients = planClients(3000, 100, nodes).filter((c) => c.nodeIndex === 0);
      for (const c of clients) {
        const next = (c.nodeIndex + failoverStride(c.index, nodes)) % nodes;
        landed.set(next, (landed.get(next) ?? 0) + 1);
      }
      expect(landed.has(0)).toBe(false);
      expect([...landed.keys()].sort()).toEqual(Array.from({ length: nodes - 1 }, (_, i) => i + 1));
      const counts = [...landed.values()];
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(clients.length * 0.1);
    }
  });

  it("moves by a step that visits every node when several are down in turn", () => {
    for (const nodes of [2, 3, 4, 5, 6]) {
      for (let index = 0; index < 12; index++) {
        const step = failoverStride(index, nodes);
        const seen = new Set(Array.from({ length: nodes }, (_, k) => (k * step) % nodes));
        expect(seen.size).toBe(nodes);
      }
    }
  });
});

describe("restart storm bench: the servers' CPU per step", () => {
  it("turns cumulative CPU samples into cores per step, interpolating between samples", () => {
    const points = [
      { atMs: 0, cpuSeconds: 0 },
      { atMs: 100, cpuSeconds: 0.05 },
      { atMs: 500, cpuSeconds: 0.45 },
      { atMs: 1000, cpuSeconds: 0.45 },
    ];
    const cores = cpuPerStep(points, 0, 1000, 250);
    expect(cores.map((c) => Number(c.toFixed(3)))).toEqual([0.8, 1, 0, 0]);
  });
});

describe("restart storm bench: windows, verdict and table", () => {
  it("sums what the workers' clients saw in a window, per client too", () => {
    const a = new Observations();
    const b = new Observations();
    a.joinedAboutOthers.add(5, 0);
    a.joinedAboutOthers.add(15, 1); // outside the window
    a.presence.add(6, 0, 2);
    a.joins.add("ok", 7, 0);
    b.joins.add("ok", 8, 0);
    b.joins.add("overloaded", 8, 1);
    b.latency.add(9, 1, 12.5);
    const window = { name: "storm", fromMs: 0, toMs: 10 };
    const summary = summarizeWindow(window, [a.report(window, 2), b.report(window, 2)]);
    expect(summary).toMatchObject({ joinedAboutOthers: 1, presenceEvents: 1, presenceNames: 2, joins: { ok: 2, overloaded: 1 } });
    expect(summary.joinedAboutOthersPerClient).toMatchObject({ count: 4, max: 1, p50: 0 });
    expect(summary.latencyMs).toMatchObject({ count: 1, p99: 12.5 });
  });

  it("splits the latency by the receiving client's node, over every worker, in node order", () => {
    const a = new Observations();
    const b = new Observations();
    a.latencyByNode.add("2", 1, 0, 40);
    a.latencyByNode.add("0", 2, 1, 10);
    b.latencyByNode.add("2", 3, 0, 60);
    b.latencyByNode.add("1", 20, 0, 99); // composed after the window
    const window = { name: "after", fromMs: 0, toMs: 10 };
    const summary = summarizeWindow(window, [a.report(window, 2), b.report(window, 1)]);
    expect(summary.latencyByNode.map((n) => [n.node, n.receipts, n.latencyMs.max])).toEqual([
      [0, 1, 10],
      [2, 2, 60],
    ]);
    const run = fakeRun({});
    expect(formatStormTable([{ ...run, after: { ...run.after, ...summary } }])).toContain("| … p99 by the receiving client's node, before / after (deliveries) | none / node 0 10 ms (1), node 2 60 ms (2) |");
  });

  it("fails a run where a client never came back or a confirmed message was lost, not one that was only slow", () => {
    const delivery = mergeDelivery([verifyReply({ lost: 0 }), verifyReply({ lost: 0 })]);
    const slow = fakeRun({ backSeconds: 40, delivery });
    expect(stormFailures([slow])).toEqual([]);
    expect(stormFailures([fakeRun({ isAllBack: false, stillOut: 3, delivery })])[0]).toMatch(/3 clients not back/);
    const lost = mergeDelivery([verifyReply({ lost: 2, examples: ["r1u3 never got r1 #4"] }), verifyReply({ lost: 1 })]);
    expect(lost).toMatchObject({ lost: 3, examples: ["r1u3 never got r1 #4"] });
    expect(stormFailures([fakeRun({ delivery: lost })])[0]).toMatch(/3 confirmed deliveries lost/);
    // What clients still out of their room never got is owed, not lost: their not coming back is the failure.
    const owed = mergeDelivery([verifyReply({ notCaughtUp: 2, owedToClientsOut: 40 }), verifyReply({ owedToClientsOut: 2 })]);
    expect(owed).toMatchObject({ lost: 0, notCaughtUp: 2, owedToClientsOut: 42 });
    expect(stormFailures([fakeRun({ delivery: owed })])).toEqual([]);
  });

  it("prints a column per build and signal", () => {
    const table = formatStormTable([fakeRun({ build: "this build" }), fakeRun({ build: "7b33f4e", signal: "kill" })]);
    expect(table.split("\n")[0]).toBe("| 1 node, SQLite, 100 clients in 1 rooms | this build, SIGTERM | 7b33f4e, SIGKILL |");
    expect(table).toContain("| each client's return p50 / p95 / max | 0.3 s / 0.4 s / 0.4 s | 0.3 s / 0.4 s / 0.4 s |");
  });

  it("prints the kernel's drops beside its cap on the queue, which explains them (issue 19)", () => {
    const table = formatStormTable([fakeRun({ listenOverflows: 23312, somaxconn: 4096 }), fakeRun({ listenOverflows: 0, somaxconn: null })]);
    expect(table).toContain("net.core.somaxconn) | 23,312 (4,096) | 0 (cap unknown) |");
  });
});

function verifyReply(over: Partial<VerifyReply>): VerifyReply {
  return { clients: [], isDrained: true, notCaughtUp: 0, lost: 0, owedToClientsOut: 0, liveDuplicates: 0, liveAndHistory: 0, historyRepeats: 0, unconfirmedReceived: 0, unexpected: 0, wrongPeopleLists: 0, lostRooms: {}, examples: [], windows: [], ...over };
}

/** A run's result as storm.ts builds it, from empty windows; `over` sets what a test looks at. */
function fakeRun(over: Partial<StormRunResult>): StormRunResult {
  const window = (name: string) => summarizeWindow({ name, fromMs: 0, toMs: 1000 }, [new Observations().report({ name, fromMs: 0, toMs: 1000 }, 1)]);
  const figures = { wallSeconds: 1, serverCpuSeconds: 0.1, serverCpuShare: 0.1, serverRssBytesEnd: 1, serverRssBytesPeak: 1, loadgenCpuSeconds: 0.1, loadgenCpuShare: 0.1, otherCpuShare: 0 };
  return {
    build: "this build",
    setup: "1 node, SQLite",
    nodes: 1,
    signal: "term",
    clients: 100,
    rooms: 1,
    loadAverage: { atStart: "0.1 0.1 0.1", atEnd: "0.2 0.1 0.1" },
    setupSeconds: 1,
    unsettledAtStart: 0,
    isAllBack: true,
    backSeconds: 0.4,
    returnSeconds: { p50: 0.3, p95: 0.4, p99: 0.4, max: 0.4, count: 100 },
    returned: 100,
    stillOut: 0,
    steps: { exitedAtMs: 10, newPid: 1, spawnedAtMs: 11, healthyAtMs: 200, signalAtMs: 0 },
    oldServerCpuSeconds: 0.1,
    serverCpuSeconds: 0.3,
    serverCpuMsPerReturn: 3,
    serverPeakRssBytes: 100 * 2 ** 20,
    loadgenCpuSeconds: 0.2,
    otherCpuSeconds: 0,
    stormWallSeconds: 0.4,
    health: { polls: 4, answered: 3, notOk: {}, refused: 1, failed: 0, unanswered: 0, latencyMs: { p50: 1, p95: 2, p99: 2, max: 2, count: 3 }, slowestMsByUrl: {} },
    listenOverflows: 0,
    somaxconn: 4096,
    healthThread: { polls: 4, answered: 4, notOk: { "503": 1 }, refused: 0, failed: 0, unanswered: 0, latencyMs: { p50: 1, p95: 1, p99: 1, max: 1, count: 4 }, slowestMsByUrl: {} },
    before: { ...window("before"), figures },
    storm: window("storm"),
    after: { ...window("after"), figures },
    ledger: { composed: 0, confirmedByAck: 0, confirmedByDuplicateAck: 0, confirmedByReceipt: 0, pendingAtEnd: 0, givenUp: 0, sendFailures: {} },
    delivery: mergeDelivery([verifyReply({})]),
    timeline: [
      { atMs: 250, cameBack: 0, inRoom: 0, serverCores: 0.2 },
      { atMs: 500, cameBack: 100, inRoom: 100, serverCores: 0.9 },
    ],
    serverOutput: [],
    ...over,
  };
}

describe("restart storm bench: chart", () => {
  it("draws clients and CPU lines per run and reads out when everyone was back", () => {
    const svg = renderStormChart([fakeRun({ backSeconds: 0.4 }), fakeRun({ signal: "kill", backSeconds: 0.5 }), fakeRun({ build: "7b33f4e", backSeconds: 0.5 })], "Test run.");
    expect(svg.match(/<path /g)).toHaveLength(6);
    expect(svg).toContain("this build, SIGTERM: all back after 0.4 s");
    expect(svg).toMatch(/<desc[^>]*>.*this build, SIGKILL: all back after 0.5 s; in their room 100 at 0 s/);
    expect(svg).toContain("at most 0.90 cores");
  });
});
