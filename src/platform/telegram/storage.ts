import type { VersionedStateStorage } from "@grammyjs/conversations";
import type { Sql } from "../db/sql.js";

/** Conversation state rows are keyed by this prefix and the chat id. */
export const CONVERSATION_PREFIX = "conv:";

/**
 * Conversation state in the database (table conversation_state), so a restart loses nothing.
 * Read and written on every update of a conversation, so in plain SQL (see db/sql.ts).
 */
export interface PrefetchedState {
  /** Read by the update's first query (app/prefetch.ts beginUpdate); consumed by the first read. */
  values: Map<string, unknown>;
  /** Keys known to have no row during this update: deleting them needs no query. */
  absent: Set<string>;
}

export function conversationStorage<S>(sql: Sql, prefetched?: PrefetchedState): VersionedStateStorage<string, S> {
  return {
    async read(key) {
      let raw: unknown;
      if (prefetched?.values.has(key)) {
        raw = prefetched.values.get(key);
        prefetched.values.delete(key);
      } else {
        raw = (await sql.query<{ value: unknown }>(`SELECT "value" FROM "conversation_state" WHERE "key" = $1`, [key]))[0]?.value;
      }
      const value = (typeof raw === "string" ? JSON.parse(raw) : raw) as { version?: unknown; state?: unknown } | null | undefined;
      // Anything not in the plugin's versioned shape is dropped rather than crashing every update;
      // the person's draft (in the outcomes table) still holds every answer.
      if (!value || typeof value !== "object" || !Array.isArray(value.version)) return undefined;
      return value as never;
    },
    async write(key, state) {
      prefetched?.absent.delete(key);
      await sql.query(
        `INSERT INTO "conversation_state" ("key", "value", "updated_at") VALUES ($1, $2::jsonb, timezone('UTC', now()))
         ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value", "updated_at" = EXCLUDED."updated_at"`,
        [key, JSON.stringify(state)],
      );
    },
    async delete(key) {
      if (prefetched?.absent.has(key)) return;
      await sql.query(`DELETE FROM "conversation_state" WHERE "key" = $1`, [key]);
    },
  };
}
