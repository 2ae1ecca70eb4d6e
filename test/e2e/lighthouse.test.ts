// Issue 23 §1: the third-party audit, in CI. Lighthouse 12's mobile profile on the home page and on a room's
// page (what a link to a room opens), with floors of 95 for performance and 100 for accessibility, best
// practices and SEO.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { medianAudit, type Scores } from "./helpers/lighthouse.js";
import { startServer, type E2eServer } from "./helpers/server.js";

const FLOORS: Scores = { performance: 0.95, accessibility: 1, "best-practices": 1, seo: 1 };
const meetsFloors = (scores: Scores): boolean => (Object.keys(FLOORS) as (keyof Scores)[]).every((c) => scores[c] >= FLOORS[c]);

let server: E2eServer;
beforeAll(async () => {
  server = await startServer();
  // A room with people's messages in it, as a shared link would open.
  await server.seed("general", [
    { sender: "Ana", content: "Morning! The deploy went out at 9." },
    { sender: "Bob", content: "Thanks, all green here." },
  ]);
});
afterAll(() => server.close());

describe("Lighthouse, mobile profile", { timeout: 180_000 }, () => {
  it.each([
    ["the home page", "/"],
    ["a room's page", "/r/general"],
  ])("%s scores at least 95 / 100 / 100 / 100", async (_label, path) => {
    const result = await medianAudit(`${server.url}${path}`, meetsFloors);
    const report = `scores ${JSON.stringify(result.scores)} (runs: ${JSON.stringify(result.runs)}; host benchmark index ${result.benchmarkIndex}); points lost: ${result.losses.join("; ")}`;
    expect(meetsFloors(result.scores), report).toBe(true);
  });
});
