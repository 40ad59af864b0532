/**
 * On PostgreSQL the plain SQL of every update goes as named prepared statements (parsed and
 * planned once per connection), and DATABASE_PREPARED_STATEMENTS=false turns that off (for
 * PgBouncer in transaction mode). Only on PostgreSQL: PGlite runs in the process.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, withRawConnection, type Database } from "../src/platform/db/client.js";
import { rawSql } from "../src/platform/db/sql.js";
import { testDatabase, usingPostgres, type TestDatabase } from "./support/db.js";

describe.skipIf(!usingPostgres())("prepared statements on PostgreSQL", () => {
  let base: TestDatabase;
  const opened: Database[] = [];
  beforeAll(async () => {
    base = await testDatabase();
  }, 120_000);
  afterAll(async () => {
    for (const db of opened) await db.close();
    await base?.close();
  });

  /** The prepared statements of the connection a transaction runs on, after two updates' worth of a query. */
  async function preparedIn(db: Database): Promise<string[]> {
    return withRawConnection((connection) =>
      db.prisma.$transaction(async () => {
        const sql = rawSql(connection()!);
        for (let i = 0; i < 2; i++) expect(await sql.query<{ n: number }>(`SELECT count(*)::int AS "n" FROM "users" WHERE "id" > $1`, [i])).toHaveLength(1);
        const rows = await sql.query<{ name: string; statement: string }>(`SELECT "name", "statement" FROM pg_prepared_statements`);
        return rows.filter((r) => r.statement.includes(`FROM "users" WHERE "id" > $1`)).map((r) => r.name);
      }),
    );
  }

  it("by default each statement is prepared once on the connection, under a name of its text", async () => {
    const db = await openDatabase({ databaseUrl: base.url });
    opened.push(db);
    expect(await preparedIn(db)).toEqual([expect.stringMatching(/^oh_[0-9a-f]{20}$/)]);
  });

  it("DATABASE_PREPARED_STATEMENTS=false sends plain queries", async () => {
    const db = await openDatabase({ databaseUrl: base.url, preparedStatements: false });
    opened.push(db);
    expect(await preparedIn(db)).toEqual([]);
  });
});
