/**
 * Applies the committed SQL migrations (prisma/migrations), each once, in order, recorded with a
 * checksum. Hand-written rather than `prisma migrate deploy`: through the driver adapters this
 * project uses (PGlite, adapter-pg) migrate deploy hits prisma/orm#27403, and the embedded
 * database has no server for the migration engine to reach. The SQL is the same one history
 * Prisma keeps; only the applier is ours.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "prisma", "migrations");

/** The smallest SQL surface both PGlite and node-postgres offer. */
export interface SqlRunner {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs a script of several statements. */
  exec(sql: string): Promise<unknown>;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

// Any constant works; it only has to be the same for every instance of this bot.
const LOCK_ID = 7_246_311;

/**
 * Applies the committed migration SQL that has not been applied yet, each in its own
 * transaction, and records it in "_app_migrations". Safe to run on every start and from
 * several instances at once (a PostgreSQL advisory lock serialises them).
 * Returns the names it applied.
 */
export async function migrate(db: SqlRunner, migrations: Migration[] = readMigrations()): Promise<string[]> {
  await db.query("SELECT pg_advisory_lock($1)", [LOCK_ID]);
  try {
    await db.exec(`CREATE TABLE IF NOT EXISTS "_app_migrations" (
      "name" TEXT PRIMARY KEY,
      "checksum" TEXT NOT NULL,
      "applied_at" TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const { rows } = await db.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM "_app_migrations"`);
    const done = new Map(rows.map((r) => [r.name, r.checksum]));
    const applied: string[] = [];
    for (const m of migrations) {
      const previous = done.get(m.name);
      if (previous !== undefined) {
        if (previous !== m.checksum) {
          throw new Error(`Migration ${m.name} was changed after it was applied. Add a new migration instead.`);
        }
        continue;
      }
      await db.exec("BEGIN");
      try {
        await db.exec(m.sql);
        await db.query(`INSERT INTO "_app_migrations" (name, checksum) VALUES ($1, $2)`, [m.name, m.checksum]);
        await db.exec("COMMIT");
      } catch (error) {
        await db.exec("ROLLBACK");
        throw new Error(`Migration ${m.name} failed: ${(error as Error).message}`);
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await db.query("SELECT pg_advisory_unlock($1)", [LOCK_ID]);
  }
}
