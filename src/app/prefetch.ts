/**
 * What every update needs from the database, in one round trip: the sender, their number of
 * active memberships, the chat's conversation state and the open draft. (Exactly-once handling
 * is the inbox's, platform/telegram/inbox.ts: this runs inside the update's transaction.)
 */
import { USER_COLUMNS, toUser, type Sql } from "../platform/db/sql.js";
import type { User } from "../generated/prisma/client.js";
import { DRAFT_COLUMNS, OPEN_DRAFT, toDraftView, type DraftView } from "../harvest/service.js";
import { CONVERSATION_PREFIX } from "../platform/telegram/storage.js";

export interface UpdateStart {
  user: User | null;
  activeMemberships: number;
  /** The chat's stored conversation state (raw), when a key was given; null when there is none. */
  conversation: unknown;
  /** The draft the sender is writing (users.active_outcome_id), if it is still open. */
  draft: DraftView | null;
}

/** The columns every update reads, given the users row `u` and the SQL of the conversation key. */
const startColumns = (conversationKey: string) => `(SELECT c."value" FROM "conversation_state" c WHERE c."key" = ${conversationKey}) AS "conversation",
            (SELECT row_to_json(d) FROM (
               SELECT ${DRAFT_COLUMNS} FROM "outcomes" o JOIN "organisations" g ON g."id" = o."organisation_id"
                WHERE o."id" = u."active_outcome_id" AND o."author_id" = u."id" AND ${OPEN_DRAFT}) d) AS "draft",
            ${USER_COLUMNS}`;

/** Reads the sender's row, their number of active memberships, the chat's conversation state and the open draft. */
export async function beginUpdate(sql: Sql, input: { telegramId?: number; stateKey?: string }): Promise<UpdateStart> {
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT ${startColumns("$2")}
       FROM (SELECT 1) AS one LEFT JOIN "users" u ON u."telegram_id" = $1::bigint`,
    [input.telegramId === undefined ? null : String(input.telegramId), input.stateKey ?? null],
  );
  return toUpdateStart(rows[0]!);
}

/**
 * The same reads, joined to the update the inbox picks (`p`: its payload and chat key), so that
 * taking an update and loading what it needs is one statement (platform/telegram/inbox.ts).
 */
export const START_OF_PICKED = {
  columns: startColumns(`CASE WHEN p."chat_key" ~ '^-?[0-9]+$' THEN '${CONVERSATION_PREFIX}' || p."chat_key" END`),
  join: `LEFT JOIN "users" u ON u."telegram_id" = COALESCE(p."payload" #>> '{message,from,id}', p."payload" #>> '{callback_query,from,id}',
           p."payload" #>> '{edited_message,from,id}', p."payload" #>> '{my_chat_member,from,id}')::bigint`,
};

export function toUpdateStart(r: Record<string, unknown>): UpdateStart {
  return {
    user: r.id === null || r.id === undefined ? null : toUser(r),
    activeMemberships: Number(r.active_memberships ?? 0),
    conversation: r.conversation ?? null,
    draft: r.draft ? toDraftView((typeof r.draft === "string" ? JSON.parse(r.draft) : r.draft) as Record<string, unknown>) : null,
  };
}
