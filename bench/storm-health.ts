// GET /healthz every 100 ms during the storm, each on a connection of its own (agent: false), as a load
// balancer's health check would, and from the main process, which holds no client. Polls start on the clock,
// not after the previous answer, so a server whose event loop is stuck for seconds shows as many slow polls,
// not one. A refused connection (no process listening: between the old server's exit and the new one's
// listen) has no latency and is counted apart; so is a poll still unanswered at the deadline.
import { request } from "node:http";
import { nowMs } from "./storm-clock.js";
import { percentiles, type Percentiles } from "./stats.js";

export interface HealthFigures {
  polls: number;
  /** Polls answered with any status; their latency is below. */
  answered: number;
  /** Answers other than 200, by status. */
  notOk: Record<string, number>;
  /** Connection refused: no server listening. */
  refused: number;
  /** Other connection errors (reset, ...). */
  failed: number;
  /** Still unanswered `timeoutMs` after it was sent. */
  unanswered: number;
  latencyMs: Percentiles;
  /** Per node URL: the slowest answer. */
  slowestMsByUrl: Record<string, number>;
}

export interface HealthPoll {
  /** Stops polling and waits for the polls still out (each ends by its deadline). */
  stop(): Promise<HealthFigures>;
}

export function startHealthPoll(urls: readonly string[], intervalMs: number, timeoutMs: number): HealthPoll {
  const latencies: number[] = [];
  const figures: Omit<HealthFigures, "latencyMs"> = { polls: 0, answered: 0, notOk: {}, refused: 0, failed: 0, unanswered: 0, slowestMsByUrl: {} };
  const inFlight = new Set<Promise<void>>();
  const pollOnce = (url: string): void => {
    figures.polls++;
    const sentAt = nowMs();
    let isTimedOut = false;
    const done = new Promise<void>((resolve) => {
      const req = request(`${url}/healthz`, { agent: false, timeout: timeoutMs }, (res) => {
        res.resume();
        res.once("end", () => {
          const ms = nowMs() - sentAt;
          latencies.push(ms);
          figures.answered++;
          figures.slowestMsByUrl[url] = Math.max(figures.slowestMsByUrl[url] ?? 0, ms);
          if (res.statusCode !== 200) figures.notOk[String(res.statusCode)] = (figures.notOk[String(res.statusCode)] ?? 0) + 1;
          resolve();
        });
      });
      req.once("timeout", () => {
        isTimedOut = true;
        figures.unanswered++;
        req.destroy();
        resolve();
      });
      req.once("error", (err: NodeJS.ErrnoException) => {
        if (isTimedOut) return; // our own destroy at the deadline, counted already
        if (err.code === "ECONNREFUSED") figures.refused++;
        else figures.failed++;
        resolve();
      });
      req.end();
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };
  const tick = (): void => {
    for (const url of urls) pollOnce(url);
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all([...inFlight]);
      return { ...figures, latencyMs: percentiles(latencies) };
    },
  };
}
