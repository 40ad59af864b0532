import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Every log line of the run is kept and checked for secrets at the end.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // PGlite and PostgreSQL databases are per test file; two files at a time fit two cores.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
