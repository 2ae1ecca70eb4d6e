import { defineConfig } from "vitest/config";

// Browser tests: one file at a time (each starts its own app and Chromium), generous timeouts for a
// loaded two-core machine. Run with `npm run test:e2e`.
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    // expect.poll waits for what a browser does in its own time (a service worker woken for a push, a page
    // reading back its state): a second, the default, is too short on a loaded CI machine.
    expect: { poll: { timeout: 10_000 } },
  },
});
