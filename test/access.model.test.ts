// Issue 17: private rooms against a model, on SQLite (test/helpers/access-model.ts has the model, the commands and
// the invariants; test/cluster/access.model*.test.ts run them on PostgreSQL and on two nodes). MODEL_RUNS scales
// the runs, MODEL_STEPS the commands per run, MODEL_SEED replays one.
import { afterAll, describe, it, onTestFinished } from "vitest";
import { startTestApp } from "./helpers/app.js";
import { checkAccessModel, MODEL_ENV, modelStats, signInModerator } from "./helpers/access-model.js";

const RUNS = Number(process.env.MODEL_RUNS ?? 30);
const STEPS = Number(process.env.MODEL_STEPS ?? 40);
const SEED = process.env.MODEL_SEED !== undefined ? Number(process.env.MODEL_SEED) : undefined;
// A failure shrinks until 20 s before the timeout: minutes at most, then the smallest sequence found so far is reported.
const TEST_TIMEOUT_MS = Math.max(150_000, RUNS * STEPS * 100);

afterAll(() => {
  const lines = [...modelStats.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  console.info(`access model (SQLite): MODEL_RUNS=${RUNS} MODEL_STEPS=${STEPS}; ${lines.join(" ")}`);
});

describe("private rooms against a model (SQLite)", () => {
  it("after every step of any sequence, nobody hears or reads a private room unless admitted, and every admitted session can", async () => {
    const app = await startTestApp({ env: { ...MODEL_ENV } });
    onTestFinished(app.close);
    const moderatorCookie = await signInModerator(app.url, app.newSession());
    await checkAccessModel(
      {
        urls: [app.url],
        newSession: app.newSession,
        moderatorCookie,
        connect: (_node, cookie) => app.connect(cookie !== null ? { session: cookie } : {}),
        disconnect: (socket) => app.disconnect(socket),
      },
      { numRuns: RUNS, maxCommands: STEPS, timeLimitMs: TEST_TIMEOUT_MS - 20_000, ...(SEED !== undefined ? { seed: SEED } : {}) },
    );
  }, TEST_TIMEOUT_MS);
});
