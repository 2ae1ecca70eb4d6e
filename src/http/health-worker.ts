// The health thread (issue 19): answers GET /healthz on HEALTH_PORT from an event loop of its own. After a restart
// the app's loop spends seconds taking thousands of clients back, and a probe on the app's port waits its turn
// behind them, so a load balancer with a short timeout would take a node out in the middle of its recovery. This
// thread is never behind: it answers from the last report the app's loop sent it (health-listener.ts), and says
// how late that loop's beat is, so a loop that is truly stuck (no beat for HEALTH_STALL_MS) still fails the probe.
import { createServer, type ServerResponse } from "node:http";
import { parentPort, workerData } from "node:worker_threads";
import type { HealthAnswer } from "../http-api.js";
import { healthStatusCode } from "./health.js";
import { HEALTH_BEAT_MS, type HealthBeat, type HealthThreadMessage, type HealthWorkerData } from "./health-thread.js";
import { requestDeadlines } from "./request-deadlines.js";

const settings = workerData as HealthWorkerData;
const port = parentPort;
if (port === null) throw new Error("health-worker.ts runs as a worker thread (health-listener.ts starts it)");

let beat: HealthBeat = { phase: "starting", answer: null };
let beatAt = performance.now();
port.on("message", (message: HealthBeat) => {
  beat = message;
  beatAt = performance.now();
});

function currentAnswer(): HealthAnswer {
  const loopLateMs = Math.max(0, Math.round(performance.now() - beatAt - HEALTH_BEAT_MS));
  const base = beat.answer ?? { status: "starting" as const, node: settings.nodeId, engines: { database: "unavailable" as const } };
  if (loopLateMs > settings.stallMs) {
    return { ...base, status: "unavailable", reason: `the event loop has not answered for ${loopLateMs} ms`, loopLateMs };
  }
  if (beat.phase === "stopping") return { ...base, status: "stopping", reason: "the node is shutting down", loopLateMs };
  if (beat.phase === "starting" || beat.answer === null) return { ...base, status: "starting", reason: "the node is starting", loopLateMs };
  return { ...beat.answer, loopLateMs };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** A probe is one small request: a client that dawdles over it, or sends nothing, is cut off rather than held. */
const PROBE_DEADLINE_MS = 5000;

// Its sockets share the process's descriptors with the app's port: with Node's 30 s checks, a connection that sent
// nothing stayed well past these 5 s.
const server = createServer(requestDeadlines({ headersTimeoutMs: PROBE_DEADLINE_MS, requestTimeoutMs: PROBE_DEADLINE_MS }), (req, res) => {
  const path = (req.url ?? "").split("?")[0];
  if (path !== "/healthz") return send(res, 404, { error: "not_found" });
  if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, { error: "method_not_allowed" });
  const answer = currentAnswer();
  send(res, healthStatusCode(answer), answer);
});
server.keepAliveTimeout = PROBE_DEADLINE_MS;
server.once("error", (err) => port.postMessage({ type: "error", message: err.message } satisfies HealthThreadMessage));
server.listen(settings.port, settings.host, () => {
  const address = server.address();
  port.postMessage({ type: "listening", port: typeof address === "object" && address !== null ? address.port : settings.port } satisfies HealthThreadMessage);
});
