/**
 * At-most-once handling of updates. Each update id is taken in the database before it is
 * handled: a Telegram retry of the same webhook call, or the same update arriving at a second
 * instance, finds it taken and is skipped. An instance that dies while handling one lets go of it
 * when its lease runs out, so a re-delivery after a crash is handled once, by someone.
 */
import type { MiddlewareFn } from "grammy";
import type { Db } from "../db/client.js";
import { utc, type Sql } from "../db/sql.js";
import type { BotContext } from "./context.js";

/** How long an instance may work on one update before another may take it over. */
export const UPDATE_LEASE_MS = 120_000;
/** How long handled update ids are kept (Telegram gives up re-delivering after 24 hours). */
export const UPDATE_RETENTION_MS = 3 * 86_400_000;

/** Takes the update; false when it was handled, or is being handled, elsewhere. */
export async function claimUpdate(sql: Sql, updateId: number, now = new Date()): Promise<boolean> {
  const lease = utc(new Date(now.getTime() + UPDATE_LEASE_MS));
  const taken = await sql.query(
    `INSERT INTO "processed_updates" ("update_id", "lease_until", "created_at") VALUES ($1, $2::timestamp, $3::timestamp)
     ON CONFLICT ("update_id") DO UPDATE SET "lease_until" = EXCLUDED."lease_until"
       WHERE "processed_updates"."handled_at" IS NULL AND "processed_updates"."lease_until" < $3::timestamp
     RETURNING 1 AS "taken"`,
    [String(updateId), lease, utc(now)],
  );
  return taken.length === 1;
}

export async function markHandled(sql: Sql, updateId: number, now = new Date()): Promise<void> {
  await sql.query(`UPDATE "processed_updates" SET "handled_at" = $2::timestamp, "lease_until" = NULL WHERE "update_id" = $1`, [String(updateId), utc(now)]);
}

/** Forgets update ids older than the retention; returns how many. */
export async function purgeProcessedUpdates(prisma: Db, now = new Date()): Promise<number> {
  const { count } = await prisma.processedUpdate.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - UPDATE_RETENTION_MS) } } });
  return count;
}

export function onceOnly(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const sql = ctx.deps.sql!;
    const id = ctx.update.update_id;
    if (!(await claimUpdate(sql, id, ctx.deps.now?.() ?? new Date()))) {
      ctx.log.info("update already handled or being handled elsewhere: skipped");
      return;
    }
    try {
      await next();
    } finally {
      // Failed updates count as handled too: the person was told to try again, and a replay
      // of a half-done update could repeat what already happened.
      await markHandled(sql, id).catch((e) => ctx.log.warn({ err: String((e as Error).message) }, "could not mark the update handled"));
    }
  };
}
