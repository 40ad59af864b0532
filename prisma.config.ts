// Prisma CLI configuration. The CLI only needs a JS driver adapter so that it never
// downloads a native engine; `generate`, `validate`, `format` and `migrate diff` work offline.
// Migrations are applied by `npm run migrate` (src/db/migrate.ts), not by `prisma migrate deploy`.
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { defineConfig } from "prisma/config";

process.env.PRISMA_DATASOURCE_URL ??= "postgresql://localhost/unused-by-the-cli";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: "prisma/schema.prisma",
  async adapter() {
    // pglite-prisma-adapter is typed against an older @prisma/driver-adapter-utils; the runtime contract matches.
    return new PrismaPGlite(new PGlite()) as never;
  },
});
