/**
 * A migrated database for one test file: embedded PGlite by default, or a fresh database on
 * the PostgreSQL server named by TEST_POSTGRES_URL (CI runs the suite both ways).
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { openDatabase, PGLITE_OPTIONS, type Database } from "../../src/platform/db/client.js";

export const usingPostgres = () => Boolean(process.env.TEST_POSTGRES_URL);

export interface TestDatabase extends Database {
  /** A URL for a child process: postgres:// on PostgreSQL, undefined on PGlite. */
  url?: string;
}

export async function testDatabase(opts: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = opts.migrate ?? true;
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) {
    // A copy of the migrated database the global setup made: loading it takes a fraction of
    // PGlite's cold start (which runs initdb), and every file still gets a database of its own.
    const template = process.env.TEST_PGLITE_TEMPLATE;
    if (migrate && template) {
      const lite = await PGlite.create({ loadDataDir: new Blob([readFileSync(template)]), ...PGLITE_OPTIONS });
      return openDatabase({ pglite: lite });
    }
    const db = await openDatabase({ dataDir: "memory://" });
    if (migrate) await db.migrate();
    return db;
  }
  const name = `oh_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE "${name}"`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const db = await openDatabase({ databaseUrl: url.toString() });
  if (migrate) await db.migrate();
  return {
    ...db,
    url: url.toString(),
    async close() {
      await db.close();
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}
