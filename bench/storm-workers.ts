// The restart storm's client workers, from the main thread: starts them (each with its share of the clients),
// sends a command to all and collects every answer, and passes on each client's out/in reports as they come.
// A worker that throws or exits early fails every command still waiting, so the run stops with its error.
import { Worker } from "node:worker_threads";
import type { CommandName, Commands, WorkerCommand, WorkerInit, WorkerMessage } from "./storm-messages.js";

interface Waiting {
  replies: unknown[];
  remaining: number;
  resolve: (replies: unknown[]) => void;
  reject: (err: Error) => void;
}

const WORKER_ENTRY = new URL("./storm-worker.ts", import.meta.url).href;
/**
 * The bench runs under `node --import tsx`, but on Node 20 a worker does not get that hook for its own entry in a
 * "type": "module" package (ERR_UNKNOWN_FILE_EXTENSION, even with execArgv), so a one-line bootstrap registers tsx
 * in the worker and then imports the TypeScript entry.
 */
const BOOTSTRAP = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(WORKER_ENTRY)}); })`;

export class WorkerPool {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private isTerminating = false;
  /** Set once a worker has died: every later command fails with it at once instead of waiting forever. */
  private deadError: Error | null = null;

  private constructor(private readonly workers: Worker[]) {}

  static start(inits: readonly WorkerInit[], onState: (client: number, isIn: boolean, atMs: number) => void): WorkerPool {
    const workers = inits.map((workerData) => new Worker(BOOTSTRAP, { eval: true, workerData }));
    const pool = new WorkerPool(workers);
    for (const [i, worker] of workers.entries()) {
      worker.on("message", (msg: WorkerMessage) => {
        if (msg.type === "state") onState(msg.client, msg.isIn, msg.atMs);
        else if (msg.type === "failed") pool.fail(new Error(`worker ${i}: ${msg.error}`), msg.id);
        else pool.answer(msg.id, msg.body);
      });
      worker.on("error", (err) => pool.die(new Error(`worker ${i} failed: ${err.stack ?? err.message}`)));
      worker.on("exit", (code) => {
        if (!pool.isTerminating) pool.die(new Error(`worker ${i} exited (${code}) in the middle of the run`));
      });
    }
    return pool;
  }

  /** Sends the command to every worker; resolves with every worker's answer. */
  ask<K extends CommandName>(type: K, params: Commands[K]["params"]): Promise<Commands[K]["reply"][]> {
    if (this.deadError !== null) return Promise.reject(this.deadError);
    const id = this.nextId++;
    const done = new Promise<unknown[]>((resolve, reject) => this.waiting.set(id, { replies: [], remaining: this.workers.length, resolve, reject }));
    const cmd = { ...params, id, type } as WorkerCommand;
    for (const worker of this.workers) worker.postMessage(cmd);
    return done as Promise<Commands[K]["reply"][]>;
  }

  async terminate(): Promise<void> {
    this.isTerminating = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private answer(id: number, body: unknown): void {
    const w = this.waiting.get(id);
    if (!w) return;
    w.replies.push(body);
    if (--w.remaining === 0) {
      this.waiting.delete(id);
      w.resolve(w.replies);
    }
  }

  private die(err: Error): void {
    this.deadError ??= err;
    this.fail(err);
  }

  private fail(err: Error, id?: number): void {
    for (const [key, w] of this.waiting) {
      if (id !== undefined && key !== id) continue;
      this.waiting.delete(key);
      w.reject(err);
    }
  }
}
