/** What happens when the send queue finally gives up on a message. */
import type { Db } from "../platform/db/client.js";
import type { OutboxMessage } from "../generated/prisma/client.js";
import type { Logger } from "../platform/logger.js";
import { markDelivered } from "./service.js";
import { notify } from "../platform/telegram/notify.js";

/**
 * A question, note or reason that could not reach the statement's author (blocked the bot,
 * deleted account) is marked "not delivered" in the thread, and the coordinator who wrote it
 * is told. Other failures are recorded on the queue row and logged.
 */
export function onOutboxFailure(prisma: Db, logger: Logger) {
  return async (row: OutboxMessage, error: string) => {
    const thread = /^thread:(\d+)$/.exec(row.ref ?? "");
    if (!thread) return;
    const id = Number(thread[1]);
    await markDelivered(prisma, id, false);
    const m = await prisma.threadMessage.findUnique({ where: { id }, include: { author: true } });
    if (!m) return;
    logger.info({ thread_message_id: id, outcome_id: m.outcomeId, error }, "author not reachable");
    await notify(prisma, m.author, "review.undelivered", { id: m.outcomeId }, undefined, { dedupeKey: `undelivered:${id}` });
  };
}
