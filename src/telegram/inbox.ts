/**
 * The durable inbox: exactly-once handling of updates, in order per chat.
 *
 * Telegram delivers each update at least once and in order per chat; PostgreSQL commits
 * atomically. On those two:
 * - an update is stored (`storeUpdates`) before Telegram is told it arrived: the webhook answers
 *   200 only after the insert, the poller asks for the next offset only after it;
 * - a worker takes the oldest open update of a chat that nobody else is working on
 *   (`FOR UPDATE SKIP LOCKED` on that row: a chat's next update is not eligible while an earlier
 *   one is open, so at most one instance works on a chat, and different chats run in parallel);
 * - the update is handled inside that transaction (telegram/unit.ts routes every query there and
 *   defers the Bot API calls); its effect, its "handled" mark and its replies (as outbox rows)
 *   commit together, so a re-delivery, however late, finds it handled and changes nothing;
 * - right after the commit the replies are sent, in order, with no queue delay. If the process
 *   dies first, they are still in the outbox and the send queue sends them (at least once).
 *   We chose this over re-sending the pending question at the person's next update because it
 *   covers every reply (a coordinator's confirmation, a substantiator's next part), not only the
 *   harvest's questions, and the person does not have to write again to see it.
 *
 * An update whose handler fails is rolled back, then marked handled with the error in a second
 * transaction in which the error boundary tells the person (a replay of a failing update would
 * fail again). An update that fails because the database went away stays open and is handled
 * when the database is back.
 */
import { BotError, GrammyError, type Api, type Bot } from "grammy";
import type { Update } from "grammy/types";
import { isDatabaseUnavailable, type Db } from "../db/client.js";
import type { Sql } from "../db/sql.js";
import type { Prisma } from "../generated/prisma/client.js";
import type { Logger } from "../logger.js";
import { FILE_FIELD, REPLY_KIND, rowParams, runOnSent } from "./outbox.js";
import { runInUnit, Unit, type DeferredCall } from "./unit.js";

/** How long handled updates are kept (Telegram gives up re-delivering after 24 hours). */
export const INBOX_RETENTION_MS = 3 * 86_400_000;
/** Replies are left to the send queue if not sent within this time after the commit (a crash). */
export const REPLY_GRACE_MS = 30_000;

/** The queue an update belongs to: its chat (messages and button presses of one chat share it). */
export function chatOf(u: Update): { key: string; chatId?: number } {
  const chat = u.message?.chat ?? u.edited_message?.chat ?? u.callback_query?.message?.chat ?? u.my_chat_member?.chat ?? u.channel_post?.chat;
  if (chat) return { key: String(chat.id), chatId: chat.id };
  const from = u.callback_query?.from ?? u.inline_query?.from ?? u.my_chat_member?.from;
  return from ? { key: `user:${from.id}`, chatId: from.id } : { key: "none" };
}

/** Stores updates (one statement); one already stored is left as it is. */
export async function storeUpdates(sql: Sql, updates: Update[]): Promise<void> {
  if (updates.length === 0) return;
  const rows = updates.map((u) => ({ id: u.update_id, key: chatOf(u).key, payload: u }));
  await sql.query(
    `INSERT INTO "inbox_updates" ("update_id", "chat_key", "payload")
     SELECT (e->>'id')::bigint, e->>'key', e->'payload' FROM jsonb_array_elements($1::jsonb) e
     ON CONFLICT ("update_id") DO NOTHING`,
    [JSON.stringify(rows)],
  );
}

/** Forgets handled updates older than the retention; returns how many. */
export async function purgeInbox(prisma: Db, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - INBOX_RETENTION_MS);
  const { count } = await prisma.inboxUpdate.deleteMany({ where: { receivedAt: { lt: before }, handledAt: { not: null } } });
  await prisma.outboxMessage.deleteMany({ where: { kind: REPLY_KIND, status: { in: ["sent", "failed"] }, createdAt: { lt: before } } });
  return count;
}

export interface InboxOptions {
  /** How many chats one instance works on at once (1 on PGlite: it has one connection). */
  concurrency: number;
  /** The longest one update may take, its transaction included. */
  timeoutMs: number;
  /** How often to look for updates stored by others or left open by a database outage. */
  everyMs: number;
}

export interface InboxDeps {
  prisma: Db;
  bot: Bot<any>;
  logger: Logger;
  /** Tells the sender of an update that the database is unreachable and the update is kept. */
  onUnavailable?: (update: Update) => Promise<void>;
}

type Tx = Prisma.TransactionClient;
interface Reply {
  id: bigint;
  call: DeferredCall;
}

const PICK = `SELECT i."update_id"::text AS "id", i."payload" FROM "inbox_updates" i
  WHERE i."handled_at" IS NULL AND NOT (i."chat_key" = ANY($1::text[]))
    AND NOT EXISTS (SELECT 1 FROM "inbox_updates" e WHERE e."chat_key" = i."chat_key" AND e."handled_at" IS NULL AND e."update_id" < i."update_id")
  ORDER BY i."update_id" LIMIT 1 FOR UPDATE OF i SKIP LOCKED`;

class HandlerFailed extends Error {
  constructor(
    readonly botError: BotError,
    readonly update: Update,
  ) {
    super(String((botError.error as Error)?.message ?? botError.error));
  }
}

export class Inbox {
  private readonly opts: InboxOptions;
  private loops = 0;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private waiters: Array<() => void> = [];
  /** Chats whose replies this instance is sending: their next update waits (reply order). */
  private readonly busy = new Set<string>();
  /** Chats told the database is away, until it is back. */
  private readonly told = new Set<string>();

  constructor(
    private readonly deps: InboxDeps,
    opts: Partial<InboxOptions> = {},
  ) {
    this.opts = { concurrency: 1, timeoutMs: 120_000, everyMs: 1_000, ...opts };
  }

  start() {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.opts.everyMs);
    this.timer.unref();
    this.kick();
  }

  /** New updates were stored: work on them. */
  kick() {
    while (!this.stopped && this.loops < this.opts.concurrency) {
      this.loops++;
      void this.loop().finally(() => {
        this.loops--;
        if (this.loops === 0) this.waiters.splice(0).forEach((w) => w());
      });
    }
  }

  /** Whether this instance is working on an update (or looking for one). */
  get working(): boolean {
    return this.loops > 0;
  }

  /** Resolves when this instance works on nothing. */
  idle(): Promise<void> {
    return this.loops === 0 ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  /** Takes no new update; waits for those being handled and their replies. */
  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
  }

  private async loop() {
    for (;;) {
      if (this.stopped) return;
      try {
        if (!(await this.handleNext())) return;
      } catch (e) {
        if (isDatabaseUnavailable(e)) this.deps.logger.warn({ message: (e as Error).message }, "database unavailable: updates wait in the inbox");
        else this.deps.logger.error({ message: (e as Error).message, stack: (e as Error).stack }, "inbox worker failed");
        return; // the timer tries again
      }
    }
  }

  /** Handles the next free update; false when there is none. */
  async handleNext(): Promise<boolean> {
    const { prisma, bot } = this.deps;
    let picked: { id: string; update: Update; chat: ReturnType<typeof chatOf> } | undefined;
    let replies: Reply[] = [];
    try {
      replies = await prisma.$transaction(
        async (tx) => {
          const rows = await tx.$queryRawUnsafe<Array<{ id: string; payload: unknown }>>(PICK, [...this.busy]);
          if (rows.length === 0) return [];
          const update = (typeof rows[0]!.payload === "string" ? JSON.parse(rows[0]!.payload) : rows[0]!.payload) as Update;
          picked = { id: rows[0]!.id, update, chat: chatOf(update) };
          this.busy.add(picked.chat.key);
          this.deps.logger.debug({ update_id: update.update_id }, "update taken from the inbox");
          const unit = new Unit(tx, picked.chat.chatId);
          try {
            await runInUnit(unit, () => bot.handleUpdate(update));
          } catch (e) {
            const inner = e instanceof BotError ? e.error : e;
            if (isDatabaseUnavailable(inner)) throw inner;
            throw new HandlerFailed(e instanceof BotError ? e : new BotError(e, undefined as never), update);
          }
          await tx.$executeRawUnsafe(`UPDATE "inbox_updates" SET "handled_at" = timezone('UTC', now()) WHERE "update_id" = $1::bigint`, picked.id);
          return queueReplies(tx, unit);
        },
        { maxWait: this.opts.timeoutMs, timeout: this.opts.timeoutMs },
      );
      if (!picked) return false;
      this.told.delete(picked.chat.key);
    } catch (e) {
      if (!picked) throw e;
      if (e instanceof HandlerFailed) replies = await this.fail(picked.id, picked.chat, e);
      else if (isDatabaseUnavailable(e)) {
        this.busy.delete(picked.chat.key);
        await this.unavailable(picked.chat.key, picked.update);
        throw e;
      } else {
        // The transaction itself failed (a timeout, a conflict): handled with the error, like a failing handler.
        replies = await this.fail(picked.id, picked.chat, new HandlerFailed(new BotError(e, undefined as never), picked.update));
      }
    }
    try {
      await this.deliver(replies);
    } finally {
      this.busy.delete(picked.chat.key);
    }
    return true;
  }

  private async fail(id: string, chat: ReturnType<typeof chatOf>, failure: HandlerFailed): Promise<Reply[]> {
    const { prisma, bot, logger } = this.deps;
    return prisma.$transaction(
      async (tx) => {
        const open = await tx.$queryRawUnsafe<unknown[]>(`SELECT 1 FROM "inbox_updates" WHERE "update_id" = $1::bigint AND "handled_at" IS NULL FOR UPDATE`, id);
        if (open.length === 0) return [];
        const unit = new Unit(tx, chat.chatId);
        if (failure.botError.ctx) await runInUnit(unit, () => Promise.resolve(bot.errorHandler(failure.botError))).catch((e) => logger.error({ message: String(e) }, "error boundary failed"));
        else logger.error({ message: failure.message, update_id: Number(id) }, "update failed");
        await tx.$executeRawUnsafe(
          `UPDATE "inbox_updates" SET "handled_at" = timezone('UTC', now()), "error" = $2 WHERE "update_id" = $1::bigint`,
          id,
          failure.message.slice(0, 1000),
        );
        return queueReplies(tx, unit);
      },
      { maxWait: this.opts.timeoutMs, timeout: this.opts.timeoutMs },
    );
  }

  /** The database is away: the person is told once that their message is kept. */
  private async unavailable(chatKey: string, update: Update) {
    if (this.told.has(chatKey)) return;
    this.told.add(chatKey);
    await this.deps.onUnavailable?.(update).catch(() => {});
  }

  /** Sends committed replies in order; what cannot be sent now is left to the send queue. */
  private async deliver(replies: Reply[]) {
    if (replies.length === 0) return;
    const { prisma, bot, logger } = this.deps;
    const api = bot.api as Api;
    const sent: bigint[] = [];
    for (let i = 0; i < replies.length; i++) {
      const { id, call } = replies[i]!;
      const params = rowParams({ chatId: 0n, method: call.method, payload: call.payload as Prisma.JsonValue, file: call.file?.bytes.toString("base64") ?? null, fileName: call.file?.name ?? null, kind: REPLY_KIND });
      try {
        const result = await (api.raw as unknown as Record<string, (p: unknown) => Promise<unknown>>)[call.method]!(params);
        sent.push(id);
        await runOnSent(prisma, call.onSent, result, logger);
      } catch (e) {
        if (e instanceof GrammyError && e.error_code !== 429 && e.error_code < 500) {
          // Refused for good (a message not modified, a query too old, a blocked bot): not retried.
          logger.info({ method: call.method, error: e.description }, "reply not delivered");
          await prisma.outboxMessage.update({ where: { id }, data: { status: "failed", lastError: `${e.error_code} ${e.description}` } }).catch(() => {});
          continue;
        }
        logger.warn({ method: call.method, error: String((e as Error).message) }, "reply not sent now: left to the send queue");
        await prisma.outboxMessage.updateMany({ where: { id: { in: replies.slice(i).map((r) => r.id) } }, data: { notBefore: new Date() } }).catch(() => {});
        break;
      }
    }
    if (sent.length) await prisma.outboxMessage.updateMany({ where: { id: { in: sent } }, data: { status: "sent", sentAt: new Date() } });
  }
}

/** The unit's deferred calls, as outbox rows of its transaction (in order). */
async function queueReplies(tx: Tx, unit: Unit): Promise<Reply[]> {
  if (unit.calls.length === 0) return [];
  const notBefore = new Date(Date.now() + REPLY_GRACE_MS);
  const chatId = BigInt(unit.chatId ?? 0);
  const out: Reply[] = [];
  // One row per call, in order; createManyAndReturn keeps the ids ascending in call order.
  const rows = await tx.outboxMessage.createManyAndReturn({
    data: unit.calls.map((call) => ({
      chatId: call.payload.chat_id !== undefined ? BigInt(call.payload.chat_id as number) : chatId,
      method: call.method,
      payload: call.payload as Prisma.InputJsonValue,
      file: call.file && FILE_FIELD[call.method] ? call.file.bytes.toString("base64") : null,
      fileName: call.file?.name ?? null,
      kind: REPLY_KIND,
      onSent: call.onSent ?? null,
      notBefore,
    })),
    select: { id: true },
  });
  rows.sort((a, b) => (a.id < b.id ? -1 : 1)).forEach((r, i) => out.push({ id: r.id, call: unit.calls[i]! }));
  return out;
}
