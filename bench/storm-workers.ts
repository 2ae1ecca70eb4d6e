// The restart storm's client workers, from the main process: forks them (child processes running
// storm-worker.ts under tsx, each with its share of the clients, so each has its own event loop and its own
// open-files limit), sends a command to all and collects every answer, and passes on each client's out/in
// reports as they come. A worker that fails or exits early fails every command still waiting, so the run
// stops with its error.
import type { ChildProcess, Serializable } from "node:child_process";
import { forkNiced } from "./niced-fork.js";
import { fileURLToPath } from "node:url";
import type { CommandName, Commands, WorkerCommand, WorkerInit, WorkerMessage } from "./storm-messages.js";

interface Waiting {
  replies: unknown[];
  remaining: number;
  resolve: (replies: unknown[]) => void;
  reject: (err: Error) => void;
}

const WORKER_ENTRY = fileURLToPath(new URL("./storm-worker.ts", import.meta.url));

export class WorkerPool {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private isTerminating = false;
  /** Set once a worker has died: every later command fails with it at once instead of waiting forever. */
  private deadError: Error | null = null;

  private constructor(private readonly workers: ChildProcess[]) {}

  /** Resolves once every worker has its share and listens for commands. */
  /** `nice`: the workers' CPU priority (niced-fork.ts; 0 = the bench's own). */
  static async start(inits: readonly WorkerInit[], onState: (client: number, isIn: boolean, atMs: number) => void, nice: number): Promise<WorkerPool> {
    const workers = inits.map(() => forkNiced(WORKER_ENTRY, ["--import", "tsx"], nice, { serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] }));
    const pool = new WorkerPool(workers);
    const ready = workers.map(
      (worker, i) =>
        new Promise<void>((resolve, reject) => {
          worker.on("message", (msg: WorkerMessage) => {
            if (msg.type === "ready") resolve();
            else if (msg.type === "state") onState(msg.client, msg.isIn, msg.atMs);
            else if (msg.type === "failed") pool.fail(new Error(`worker ${i}: ${msg.error}`), msg.id);
            else pool.answer(msg.id, msg.body);
          });
          worker.on("error", (err) => {
            pool.die(new Error(`worker ${i} failed: ${err.stack ?? err.message}`));
            reject(err);
          });
          worker.on("exit", (code, signal) => {
            if (pool.isTerminating) return;
            const err = new Error(`worker ${i} exited (${code ?? signal}) in the middle of the run`);
            pool.die(err);
            reject(err);
          });
          worker.send(inits[i] as WorkerInit as unknown as Serializable);
        }),
    );
    try {
      await Promise.all(ready);
    } catch (err) {
      await pool.terminate();
      throw err;
    }
    return pool;
  }

  /** The workers' process ids: their CPU is the load generator's too. */
  pids(): number[] {
    return this.workers.flatMap((w) => (w.pid === undefined ? [] : [w.pid]));
  }

  /** Sends the command to every worker; resolves with every worker's answer. */
  ask<K extends CommandName>(type: K, params: Commands[K]["params"]): Promise<Commands[K]["reply"][]> {
    if (this.deadError !== null) return Promise.reject(this.deadError);
    const id = this.nextId++;
    const done = new Promise<unknown[]>((resolve, reject) => this.waiting.set(id, { replies: [], remaining: this.workers.length, resolve, reject }));
    const cmd = { ...params, id, type } as WorkerCommand;
    for (const worker of this.workers) worker.send(cmd as unknown as Serializable);
    return done as Promise<Commands[K]["reply"][]>;
  }

  async terminate(): Promise<void> {
    this.isTerminating = true;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            w.once("exit", () => resolve());
            w.kill("SIGKILL");
          }),
      ),
    );
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
