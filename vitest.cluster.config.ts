import { defineConfig } from "vitest/config";

// `npm run test:cluster`: suites that need real PostgreSQL (Debian's `postgresql` package; see
// test/helpers/postgres.ts). One server per run, a database per test file. Files run one at a time: they start
// processes and servers of their own, and the machine is small.
export default defineConfig({
  test: {
    include: ["test/cluster/**/*.test.ts"],
    globalSetup: ["test/cluster/global-setup.ts"],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
  },
});
