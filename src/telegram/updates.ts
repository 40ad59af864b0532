/**
 * At-most-once handling of updates, and what every update needs from the database, in one
 * round trip. Each update id is taken in the database before it is handled: a Telegram retry of
 * the same webhook call, or the same update arriving at a second instance, finds it taken and is
 * skipped. An instance that dies while handling one lets go of it when its lease runs out, so a
 * re-delivery after a crash is handled once, by someone.
 */
import type { Db } from "../db/client.js";
import { USER_COLUMNS, toUser, utc, type Sql } from "../db/sql.js";
import type { User } from "../generated/prisma/client.js";
import type { Logger } from "../logger.js";
import { DRAFT_COLUMNS, OPEN_DRAFT, toDraftView, type DraftView } from "../harvest/drafts.js";

/** How long an instance may work on one update before another may take it over. */
export const UPDATE_LEASE_MS = 120_000;
/** How long handled update ids are kept (Telegram gives up re-delivering after 24 hours). */
export const UPDATE_RETENTION_MS = 3 * 86_400_000;

export interface UpdateStart {
  /** False: handled, or being handled, elsewhere. */
  taken: boolean;
  user: User | null;
  activeMemberships: number;
  /** The chat's stored conversation state (raw), when a key was given; null when there is none. */
  conversation: unknown;
  /** The draft the sender is writing (users.active_outcome_id), if it is still open. */
  draft: DraftView | null;
}

/**
 * Takes the update and, in the same statement, reads the sender's row, their number of active
 * memberships and the chat's conversation state.
 */
export async function beginUpdate(sql: Sql, input: { updateId: number; telegramId?: number; stateKey?: string; now?: Date }): Promise<UpdateStart> {
  const now = input.now ?? new Date();
  const rows = await sql.query<Record<string, unknown>>(
    `WITH claim AS (
       INSERT INTO "processed_updates" ("update_id", "lease_until", "created_at") VALUES ($1, $2::timestamp, $3::timestamp)
       ON CONFLICT ("update_id") DO UPDATE SET "lease_until" = EXCLUDED."lease_until"
         WHERE "processed_updates"."handled_at" IS NULL AND "processed_updates"."lease_until" < $3::timestamp
       RETURNING 1
     )
     SELECT (SELECT count(*)::int FROM claim) AS "taken",
            (SELECT c."value" FROM "conversation_state" c WHERE c."key" = $5) AS "conversation",
            (SELECT row_to_json(d) FROM (
               SELECT ${DRAFT_COLUMNS} FROM "outcomes" o JOIN "organisations" g ON g."id" = o."organisation_id"
                WHERE o."id" = u."active_outcome_id" AND o."author_id" = u."id" AND ${OPEN_DRAFT}) d) AS "draft",
            ${USER_COLUMNS}
       FROM (SELECT 1) AS one LEFT JOIN "users" u ON u."telegram_id" = $4::bigint`,
    [String(input.updateId), utc(new Date(now.getTime() + UPDATE_LEASE_MS)), utc(now), input.telegramId === undefined ? null : String(input.telegramId), input.stateKey ?? null],
  );
  const r = rows[0]!;
  return {
    taken: Number(r.taken) === 1,
    user: r.id === null || r.id === undefined ? null : toUser(r),
    activeMemberships: Number(r.active_memberships ?? 0),
    conversation: r.conversation ?? null,
    draft: r.draft ? toDraftView((typeof r.draft === "string" ? JSON.parse(r.draft) : r.draft) as Record<string, unknown>) : null,
  };
}

/**
 * Marks handled updates in batches (one statement for many), shortly after they finish; `flush`
 * at shutdown. An id not yet marked when a process dies keeps its lease, and is then free again.
 */
export class HandledUpdates {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly sql: Sql,
    private readonly logger: Logger,
    private readonly everyMs = 100,
  ) {}

  add(updateId: number) {
    this.pending.push(String(updateId));
    if (this.pending.length >= 200) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.everyMs);
      this.timer.unref();
    }
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = this.pending.splice(0);
    if (ids.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() =>
      this.sql
        .query(`UPDATE "processed_updates" SET "handled_at" = $2::timestamp, "lease_until" = NULL WHERE "update_id" = ANY($1::bigint[])`, [ids, utc(new Date())])
        .then(() => undefined)
        .catch((e) => this.logger.warn({ err: String((e as Error).message), updates: ids.length }, "could not mark updates handled")),
    );
    return this.flushing;
  }
}

/** Forgets update ids older than the retention; returns how many. */
export async function purgeProcessedUpdates(prisma: Db, now = new Date()): Promise<number> {
  const { count } = await prisma.processedUpdate.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - UPDATE_RETENTION_MS) } } });
  return count;
}
