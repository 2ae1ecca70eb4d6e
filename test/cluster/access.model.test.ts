// Issue 17: private rooms against the model of test/helpers/access-model.ts, on PostgreSQL (one in-process app whose
// store is a PostgreSQL repository on a database of its own). MODEL_RUNS / MODEL_STEPS / MODEL_SEED as on SQLite
// (test/access.model.test.ts); two nodes with Redis: access.model-nodes.test.ts.
import { afterAll, describe, it, onTestFinished } from "vitest";
import { checkAccessModel, MODEL_ENV, modelStats, signInModerator } from "../helpers/access-model.js";
import { startTestApp } from "../helpers/app.js";
import { clusterDatabase, openPostgresRepo } from "./pg.js";

const RUNS = Number(process.env.MODEL_RUNS ?? 30);
const STEPS = Number(process.env.MODEL_STEPS ?? 40);
const SEED = process.env.MODEL_SEED !== undefined ? Number(process.env.MODEL_SEED) : undefined;
const TEST_TIMEOUT_MS = Math.max(150_000, RUNS * STEPS * 100);

afterAll(() => {
  const lines = [...modelStats.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`);
  console.info(`access model (PostgreSQL): MODEL_RUNS=${RUNS} MODEL_STEPS=${STEPS}; ${lines.join(" ")}`);
});

describe("private rooms against a model (PostgreSQL)", () => {
  it("after every step of any sequence, nobody hears or reads a private room unless admitted, and every admitted session can", async () => {
    const store = await openPostgresRepo(await clusterDatabase());
    const app = await startTestApp({ env: { ...MODEL_ENV }, store });
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
