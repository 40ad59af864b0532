import { AsyncLocalStorage } from "node:async_hooks";
import { mkdirSync } from "node:fs";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "../../generated/prisma/client.js";
import { lockDirectory } from "./lock.js";
import { migrate, type Migration, type SqlRunner } from "./migrate.js";
import { unpackTemplate } from "./template.js";
import { PREPARED, pgliteSql, pgSql, type Queryable, type Sql } from "./sql.js";

export { PrismaClient };
export type Db = PrismaClient;

export interface Database {
  prisma: PrismaClient;
  /** Plain SQL on the same connection pool, for the queries every update makes. */
  sql: Sql;
  kind: "pglite" | "postgres";
  /** Applies pending migrations (by default the committed ones); returns the names applied. */
  migrate(migrations?: Migration[]): Promise<string[]>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** PGlite data directory; "memory://" keeps everything in memory. */
  dataDir?: string;
  /** An already opened PGlite (tests clone a migrated template). */
  pglite?: PGlite;
  /** PostgreSQL: send the plain SQL as named prepared statements (default true; off behind PgBouncer in transaction mode). */
  preparedStatements?: boolean;
}

/**
 * The embedded database's memory: PGlite runs PostgreSQL in the process, and PostgreSQL's
 * defaults (128 MB of shared buffers) are sized for a server. A bot's working set is small.
 */
export const PGLITE_OPTIONS = { postgresqlconf: ["shared_buffers = 16MB", "work_mem = 4MB", "maintenance_work_mem = 16MB", "temp_buffers = 4MB"] };

/** PostgreSQL when a URL is given, otherwise the embedded PGlite. */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.preparedStatements ?? true);
  let lite = opts.pglite;
  let release: (() => void) | undefined;
  if (!lite) {
    const dir = opts.dataDir ?? "./data/pglite";
    if (!dir.startsWith("memory://")) {
      mkdirSync(dir, { recursive: true });
      release = lockDirectory(dir); // one process per directory (db/lock.ts)
    }
    try {
      // A new directory starts from the build's template (db/template.ts) instead of initdb.
      if (!dir.startsWith("memory://")) unpackTemplate(dir);
      lite = await PGlite.create(dir, PGLITE_OPTIONS);
    } catch (e) {
      release?.();
      throw e;
    }
  }
  return openPglite(lite, release);
}

/** The raw connection of a transaction Prisma opened through its driver adapter. */
export type RawConnection = Queryable;
const opening = new AsyncLocalStorage<{ connection?: RawConnection }>();

/**
 * Runs `work` so that the transaction it opens with `prisma.$transaction` also offers its raw
 * driver connection (`connection()`), for plain SQL in that same transaction without Prisma's
 * per-query cost (see sql.ts). Both adapters keep the connection of a transaction as `client`:
 * a pg PoolClient, or PGlite's transaction object, each with `query(text, params)`.
 */
export function withRawConnection<T>(work: (connection: () => RawConnection | undefined) => Promise<T>): Promise<T> {
  const slot: { connection?: RawConnection } = {};
  return opening.run(slot, () => work(() => slot.connection));
}

type AdapterFactory = { connect(): Promise<{ startTransaction(isolation?: unknown): Promise<unknown> }> };
function capturingTransactions<F>(factory: F, prepared = false): F {
  const f = factory as unknown as AdapterFactory;
  const connect = f.connect.bind(f);
  f.connect = async () => {
    const adapter = await connect();
    const start = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolation) => {
      const tx = (await start(isolation)) as { client?: RawConnection };
      if (typeof tx.client?.query === "function") {
        if (prepared) (tx.client as unknown as Record<symbol, unknown>)[PREPARED] = true;
        // One connection, two users (Prisma and plain SQL) and handlers that run queries side by
        // side: the queries of the transaction go one after another (pg deprecates overlapping ones).
        tx.client = serialised(tx.client);
        const slot = opening.getStore();
        if (slot && !slot.connection) slot.connection = tx.client;
      }
      return tx;
    };
    return adapter;
  };
  return factory;
}

/** The connection with its `query` calls queued, each starting when the one before has ended. */
function serialised<C extends RawConnection>(client: C): C {
  let last: Promise<unknown> = Promise.resolve();
  return new Proxy(client, {
    get(target, prop) {
      if (prop === "query") {
        return (...args: unknown[]) => {
          const run = last.then(() => (target.query as (...a: unknown[]) => Promise<unknown>).apply(target, args));
          last = run.catch(() => undefined);
          return run;
        };
      }
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
    set(target, prop, value) {
      return Reflect.set(target, prop, value);
    },
  });
}

export function openPglite(lite: PGlite, release?: () => void): Database {
  const prisma = new PrismaClient({ adapter: capturingTransactions(new PrismaPGlite(lite)) as never }); // typed against an older adapter-utils; same runtime contract
  return {
    prisma,
    sql: pgliteSql(lite),
    kind: "pglite",
    migrate: (migrations) => migrate(lite as unknown as SqlRunner, migrations),
    async close() {
      await prisma.$disconnect();
      if (!lite.closed) await lite.close();
      release?.();
    },
  };
}

async function openPostgres(url: string, prepared: boolean): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", () => {}); // an idle connection dropped by the server: the pool replaces it
  const prisma = new PrismaClient({ adapter: capturingTransactions(new PrismaPg(pool), prepared) });
  return {
    prisma,
    sql: pgSql(pool, prepared),
    kind: "postgres",
    async migrate(migrations) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const runner = { query: (sql, params) => client.query(sql, params as unknown[]), exec: (sql) => client.query(sql) } as SqlRunner;
        return await migrate(runner, migrations);
      } finally {
        await client.end();
      }
    },
    async close() {
      await prisma.$disconnect();
      await pool.end().catch(() => {});
    },
  };
}

/** A unique-constraint violation, as Prisma reports it with or without a driver adapter. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; cause?: { kind?: string; originalCode?: string }; message?: string };
  return (
    err?.code === "P2002" ||
    err?.cause?.kind === "UniqueConstraintViolation" ||
    err?.cause?.originalCode === "23505" ||
    /duplicate key value/.test(err?.message ?? "")
  );
}

/** The database cannot be reached (down, restarting, connection lost), as opposed to a bug. */
export function isDatabaseUnavailable(e: unknown): boolean {
  const seen = new Set<unknown>();
  for (
    let err = e as { code?: string; message?: string; cause?: unknown; kind?: string; originalCode?: string } | undefined;
    err && !seen.has(err);
    err = err.cause as typeof err
  ) {
    seen.add(err);
    if (
      ["P1001", "P1002", "P1017", "ECONNREFUSED", "ECONNRESET", "57P01", "57P02", "57P03", "08006", "08001", "08003"].includes(
        String(err.code ?? err.originalCode ?? ""),
      )
    )
      return true;
    if (err.kind === "DatabaseNotReachable" || err.kind === "ConnectionClosed") return true;
    if (
      /ECONNREFUSED|ECONNRESET|Connection terminated|terminating connection|database system is (shutting down|starting up)|Can't reach database|connect ETIMEDOUT|Closed the connection|PGlite is closed/i.test(
        err.message ?? "",
      )
    )
      return true;
  }
  return false;
}
