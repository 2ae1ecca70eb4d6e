import { defineConfig } from "vitest/config";

// `npm run test:cluster`: suites that need real PostgreSQL (Debian's `postgresql` package; see
// test/helpers/postgres.ts). One server per run, a database per test file. Files run one at a time: they start
// processes and servers of their own, and the machine is small.
export default defineConfig({
  test: {
    include: ["test/cluster/**/*.test.ts"],
    // Issue 10 is open: live delivery across nodes is not yet in id order (each node publishes after its COMMIT,
    // outside the room lock, so two nodes can publish 11 and 12 in either order). These two files assert that
    // order and fail intermittently until a per-room sequencer lands; they are kept, not run, so the fix has its
    // acceptance tests: npx vitest run --config vitest.cluster.config.ts --exclude '' test/cluster/known-failing
    exclude: ["test/cluster/known-failing/**", "**/node_modules/**"],
    globalSetup: ["test/cluster/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
