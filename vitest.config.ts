import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Every log line of the run is kept and checked for secrets at the end.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // A worker process runs its files one after another in the same module graph: each file still
    // has its own database, fake Bot API and bot, but Prisma's and PGlite's WebAssembly are loaded
    // and warmed up once per worker instead of once per file (about a third of the suite's CPU).
    isolate: false,
    // PGlite and PostgreSQL databases are per test file; two files at a time fit two cores.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
