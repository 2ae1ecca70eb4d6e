// Starts the health thread (issue 19, health-worker.ts) and keeps it informed: every HEALTH_BEAT_MS the app's loop
// sends its phase and the last health check's answer; the check itself (a database query) runs at most once per
// PROBE_MS. The beat rides the app's own event loop on purpose: when that loop is late, the beat is late, and the
// thread says by how much.
import { Worker } from "node:worker_threads";
import type { HealthAnswer } from "../http-api.js";
import type { Logger } from "../log.js";
import { HEALTH_BEAT_MS, type HealthBeat, type HealthThreadMessage, type HealthWorkerData } from "./health-thread.js";

/** The database and Redis are checked this often for the thread (a probe sees an answer at most this old). */
const PROBE_MS = 1000;

export interface HealthListenerOptions extends HealthWorkerData {
  check(): Promise<HealthAnswer>;
  log: Logger;
}

export interface HealthListener {
  /** The port the thread listens on (HEALTH_PORT, or the one the system chose for 0). */
  port: number;
  /** The node takes clients: probes pass while its checks do. */
  serving(): void;
  /** The node is shutting down: probes fail from now on, so a load balancer sends nobody new. */
  stopping(): void;
  close(): Promise<void>;
}

/**
 * The thread: the compiled JavaScript beside this file, or under the test runner (this file is TypeScript) a small
 * script that registers tsx first, so the thread can load the TypeScript source.
 */
function startWorker(data: HealthWorkerData): Worker {
  const isSource = import.meta.url.endsWith(".ts");
  if (!isSource) return new Worker(new URL("./health-worker.js", import.meta.url), { workerData: data });
  const source = new URL("./health-worker.ts", import.meta.url).href;
  const boot = `import("tsx/esm/api").then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); })`;
  return new Worker(boot, { eval: true, workerData: data });
}

export async function startHealthListener(options: HealthListenerOptions): Promise<HealthListener> {
  const { check, log, ...data } = options;
  const worker = startWorker(data);
  const port = await new Promise<number>((resolve, reject) => {
    worker.once("message", (message: HealthThreadMessage) => (message.type === "listening" ? resolve(message.port) : reject(new Error(message.message))));
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`the health thread exited (${code}) before listening`)));
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  worker.on("error", (err) => log.error("health_thread_failed", { err }));

  let beat: HealthBeat = { phase: "starting", answer: null };
  let isChecking = false;
  const probe = (): void => {
    if (isChecking) return; // a hung database: one check at a time (each ends within a second, health.ts)
    isChecking = true;
    check()
      .then((answer) => (beat = { ...beat, answer }))
      .catch((err: unknown) => log.warn("health_check_failed", { err }))
      .finally(() => (isChecking = false));
  };
  const send = (): void => worker.postMessage(beat);
  probe();
  const beatTimer = setInterval(send, HEALTH_BEAT_MS);
  const probeTimer = setInterval(probe, PROBE_MS);
  beatTimer.unref();
  probeTimer.unref();
  worker.unref(); // never what keeps the process alive

  return {
    port,
    serving() {
      beat = { ...beat, phase: "serving" };
      send();
    },
    stopping() {
      beat = { ...beat, phase: "stopping" };
      send();
    },
    async close() {
      clearInterval(beatTimer);
      clearInterval(probeTimer);
      await worker.terminate();
    },
  };
}
