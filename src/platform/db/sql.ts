/**
 * Plain SQL for the few queries every update makes (take the update, load the sender, read and
 * write the conversation state). Prisma 6 compiles each query in WebAssembly on the event loop
 * (about 1 ms of CPU each); these run straight on the driver instead (about 0.1 ms). Everything
 * else uses Prisma. Values come back as JSON-safe types on both databases: casts in the SQL make
 * bigints text and timestamps epoch milliseconds.
 */
import { createHash } from "node:crypto";
import type { PGlite } from "@electric-sql/pglite";
import type pg from "pg";
import type { User } from "../../generated/prisma/client.js";

export interface Sql {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
}

/** Anything with `query(text, params)` answering `{ rows }`: a pg pool or client, PGlite, PGlite's transaction. */
export interface Queryable {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

/** Marks a pg pool or client whose plain SQL goes as named prepared statements. */
export const PREPARED = Symbol("prepared statements");

/** At most this many distinct statements are prepared per connection; any more go as plain queries. */
const MAX_PREPARED = 500;
const names = new Map<string, string>();

/** The name of a statement's prepared form: the same text, the same name, on every connection. */
function preparedName(text: string): string | undefined {
  let name = names.get(text);
  if (!name && names.size < MAX_PREPARED) {
    name = `oh_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
    names.set(text, name);
  }
  return name;
}

/**
 * Plain SQL on a connection. On PostgreSQL (a pool or client marked PREPARED) each statement is
 * sent as a named prepared statement: the server parses and plans it once per connection, not
 * on every update (DATABASE_PREPARED_STATEMENTS=false turns it off, for a pooler in transaction
 * mode such as PgBouncer, where the next transaction may run on another server connection).
 */
export function rawSql(connection: Queryable): Sql {
  return {
    async query<T>(text: string, params: unknown[] = []) {
      const name = (connection as unknown as Record<symbol, unknown>)[PREPARED] === true ? preparedName(text) : undefined;
      if (!name) return (await connection.query<T>(text, params)).rows;
      const named = connection as unknown as { query<R>(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: R[] }> };
      return (await named.query<T>({ name, text, values: params })).rows;
    },
  };
}

export const pgSql = (pool: pg.Pool, prepared = false): Sql => {
  if (prepared) (pool as unknown as Record<symbol, unknown>)[PREPARED] = true;
  return rawSql(pool as unknown as Queryable);
};
export const pgliteSql = (lite: PGlite): Sql => rawSql(lite);

/** A timestamp parameter for a TIMESTAMP (UTC, no zone) column, as Prisma stores them. */
export const utc = (d: Date) => d.toISOString().slice(0, 23).replace("T", " ");

/** Plain SQL over Prisma's own connection, where a test or tool has only a Prisma client. */
export function prismaSql(prisma: { $queryRawUnsafe<T>(query: string, ...values: unknown[]): Promise<T> }): Sql {
  return { query: <T>(text: string, params: unknown[] = []) => prisma.$queryRawUnsafe<T[]>(text, ...params) };
}

const ms = (column: string) => `(extract(epoch from u."${column}") * 1000)::float8 AS "${column}"`;
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)));

/** The columns of a users row `u` (as toUser reads them) and the number of its active memberships. */
export const USER_COLUMNS = `u."id", u."telegram_id"::text AS "telegram_id", u."display_name", u."username", u."language",
  ${ms("consent_at")}, u."pending_invite_id", u."active_outcome_id", u."reminders_paused",
  u."pending_input", ${ms("deleted_at")}, ${ms("created_at")}, ${ms("updated_at")},
  (SELECT count(*)::int FROM "memberships" m WHERE m."user_id" = u."id" AND m."active") AS "active_memberships"`;

/** A users row selected with USER_COLUMNS, as Prisma would return it. */
export function toUser(r: Record<string, unknown>): User {
  return {
    id: Number(r.id),
    telegramId: BigInt(r.telegram_id as string),
    displayName: r.display_name as string,
    username: (r.username as string | null) ?? null,
    language: (r.language as string | null) ?? null,
    consentAt: date(r.consent_at),
    pendingInviteId: (r.pending_invite_id as number | null) ?? null,
    activeOutcomeId: (r.active_outcome_id as number | null) ?? null,
    remindersPaused: Boolean(r.reminders_paused),
    pendingInput: (r.pending_input ?? null) as User["pendingInput"],
    deletedAt: date(r.deleted_at),
    createdAt: date(r.created_at)!,
    updatedAt: date(r.updated_at)!,
  };
}
