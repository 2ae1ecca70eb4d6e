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
  },
});
