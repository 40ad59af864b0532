import type { VersionedStateStorage } from "@grammyjs/conversations";
import type { Sql } from "../db/sql.js";

/** Conversation state rows are keyed by this prefix and the chat id. */
export const CONVERSATION_PREFIX = "conv:";

/**
 * Conversation state in the database (table conversation_state), so a restart loses nothing.
 * Read and written on every update of a conversation, so in plain SQL (see db/sql.ts).
 */
export function conversationStorage<S>(sql: Sql, prefetched?: Map<string, unknown>): VersionedStateStorage<string, S> {
  return {
    async read(key) {
      // The update's first query already read it (telegram/updates.ts beginUpdate).
      let raw: unknown;
      if (prefetched?.has(key)) {
        raw = prefetched.get(key);
        prefetched.delete(key);
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
      await sql.query(
        `INSERT INTO "conversation_state" ("key", "value", "updated_at") VALUES ($1, $2::jsonb, timezone('UTC', now()))
         ON CONFLICT ("key") DO UPDATE SET "value" = EXCLUDED."value", "updated_at" = EXCLUDED."updated_at"`,
        [key, JSON.stringify(state)],
      );
    },
    async delete(key) {
      await sql.query(`DELETE FROM "conversation_state" WHERE "key" = $1`, [key]);
    },
  };
}
