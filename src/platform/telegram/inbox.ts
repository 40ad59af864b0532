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
 * - the update is handled inside that transaction (platform/telegram/unit.ts routes every query there and
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
import { isDatabaseUnavailable, withRawConnection, type Db } from "../db/client.js";
import { prismaSql, rawSql, utc, type Sql } from "../db/sql.js";
import type { Prisma } from "../../generated/prisma/client.js";
import type { Logger } from "../logger.js";
import { FILE_FIELD, REPLY_KIND, runOnSent, wakeSendQueues, withFile } from "./outbox.js";
import { runInUnit, Unit, type DeferredCall } from "./unit.js";

/** How long handled updates are kept (Telegram gives up re-delivering after 24 hours). */
export const INBOX_RETENTION_MS = 3 * 86_400_000;
/** Replies are left to the send queue if not sent within this time after the commit (a crash): the default. */
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
  /** What the handler reads first, read with the pick (the unit offers the row as `picked`). */
  pickWith?: PickWith;
  /** How long the replies of a handled update wait for this process before the send queue sends them (it died). */
  replyGraceMs: number;
}

export interface InboxDeps {
  prisma: Db;
  /** Plain SQL outside any transaction (marking replies sent). */
  sql: Sql;
  // biome-ignore lint/suspicious/noExplicitAny: any context type: the inbox only calls handleUpdate and the error handler
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

/** Reads to make in the statement that picks an update (`p`: update_id, payload, chat_key). */
export interface PickWith {
  columns: string;
  join: string;
}

const pickSql = (also?: PickWith) => `WITH p AS (
    SELECT i."update_id", i."payload", i."chat_key" FROM "inbox_updates" i
     WHERE i."handled_at" IS NULL AND NOT (i."chat_key" = ANY($1::text[]))
       AND NOT EXISTS (SELECT 1 FROM "inbox_updates" e WHERE e."chat_key" = i."chat_key" AND e."handled_at" IS NULL AND e."update_id" < i."update_id")
     ORDER BY i."update_id" LIMIT 1 FOR UPDATE OF i SKIP LOCKED)
  SELECT p."update_id"::text AS "inbox_id", p."payload" AS "inbox_payload"${also ? `, ${also.columns}` : ""} FROM p ${also?.join ?? ""}`;

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
  /** Reply batches being sent. */
  private sending = 0;
  /** Chats told the database is away, until it is back. */
  private readonly told = new Set<string>();

  constructor(
    private readonly deps: InboxDeps,
    opts: Partial<InboxOptions> = {},
  ) {
    this.opts = { concurrency: 1, timeoutMs: 120_000, everyMs: 1_000, replyGraceMs: REPLY_GRACE_MS, ...opts };
    this.pick = pickSql(this.opts.pickWith);
  }

  private readonly pick: string;

  start() {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(1, true), this.opts.everyMs);
    this.timer.unref();
    this.kick();
  }

  /**
   * Updates this instance stored and has not taken yet, by chat. A worker is started only where
   * one can find work: a worker that finds nothing costs a transaction (three statements), and
   * starting every worker for each stored update cost about two such per update.
   */
  private readonly waiting = new Map<string, number>();

  /** This instance stored these updates: work on them. */
  stored(updates: Update[]) {
    for (const u of updates) {
      const key = chatOf(u).key;
      this.waiting.set(key, (this.waiting.get(key) ?? 0) + 1);
    }
    this.kick(this.ready());
  }

  /** How many chats have an update this instance stored that a worker could take now. */
  private ready(): number {
    let n = 0;
    for (const key of this.waiting.keys()) if (!this.busy.has(key)) n++;
    return n;
  }

  /**
   * Starts up to `n` more workers (default: all it may run). Each takes updates until it finds
   * none, or (`explore` false) until no update this instance stored is ready. The timer's worker
   * explores: it looks for updates other instances stored, or left open by an outage.
   */
  kick(n = this.opts.concurrency, explore = n >= this.opts.concurrency) {
    for (let start = Math.min(n, this.opts.concurrency - this.loops); !this.stopped && start > 0; start--) {
      this.loops++;
      void this.loop(explore).finally(() => {
        this.loops--;
        this.settle();
      });
    }
  }

  private settle() {
    if (!this.working) for (const w of this.waiters.splice(0)) w();
  }

  /** Whether this instance is working on an update (or looking for one), or sending replies. */
  get working(): boolean {
    return this.loops > 0 || this.sending > 0;
  }

  /** Resolves when this instance works on nothing and has no reply left to send. */
  idle(): Promise<void> {
    return this.working ? new Promise((r) => this.waiters.push(r)) : Promise.resolve();
  }

  /** Takes no new update; waits for those being handled and their replies. */
  async stop() {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
    await this.flushSent();
  }

  private async loop(explore: boolean) {
    for (;;) {
      if (this.stopped) return;
      try {
        if (!(await this.handleNext())) return;
        // An explorer that found work brings another: a backlog (after a restart, an outage) is
        // worked through in parallel, and each explorer stops at its first empty look.
        if (explore) this.kick(1, true);
        else if (this.ready() === 0) return;
      } catch (e) {
        if (isDatabaseUnavailable(e)) this.deps.logger.warn({ message: (e as Error).message }, "database unavailable: updates wait in the inbox");
        else this.deps.logger.error({ message: (e as Error).message, stack: (e as Error).stack }, "inbox worker failed");
        return; // the timer tries again
      }
    }
  }

  /** Handles the next free update; false when there is none. */
  async handleNext(): Promise<boolean> {
    const { bot } = this.deps;
    let picked: { id: string; update: Update; chat: ReturnType<typeof chatOf> } | undefined;
    let replies: Reply[] = [];
    let queued = false;
    try {
      replies = await this.transaction(async (tx, sql) => {
        const rows = await sql.query<Record<string, unknown>>(this.pick, [[...this.busy]]);
        const row = rows[0];
        if (!row) {
          // Nothing to take: what this instance stored for free chats was taken elsewhere.
          for (const key of [...this.waiting.keys()]) if (!this.busy.has(key)) this.waiting.delete(key);
          return [];
        }
        const payload = row.inbox_payload;
        const update = (typeof payload === "string" ? JSON.parse(payload) : payload) as Update;
        picked = { id: String(row.inbox_id), update, chat: chatOf(update) };
        this.busy.add(picked.chat.key);
        const left = (this.waiting.get(picked.chat.key) ?? 0) - 1;
        if (left > 0) this.waiting.set(picked.chat.key, left);
        else this.waiting.delete(picked.chat.key);
        this.deps.logger.debug({ update_id: update.update_id }, "update taken from the inbox");
        const unit = new Unit(tx, picked.chat.chatId, sql);
        unit.picked = { updateId: update.update_id, row };
        try {
          await runInUnit(unit, () => bot.handleUpdate(update));
        } catch (e) {
          const inner = e instanceof BotError ? e.error : e;
          if (isDatabaseUnavailable(inner)) throw inner;
          throw new HandlerFailed(e instanceof BotError ? e : new BotError(e, undefined as never), update);
        }
        const replies = await finish(sql, unit, picked.id, null, this.opts.replyGraceMs);
        queued = unit.queued;
        return replies;
      });
      if (!picked) return false;
      if (queued) wakeSendQueues(); // committed: messages to others go now
      this.told.delete(picked.chat.key);
    } catch (e) {
      if (!picked) throw e;
      try {
        if (isDatabaseUnavailable(e)) {
          await this.unavailable(picked.chat.key, picked.update);
          throw e;
        }
        // A failing handler, or a failing transaction (a timeout): handled with the error, in a transaction of its own.
        replies = await this.fail(
          picked.id,
          picked.chat,
          e instanceof HandlerFailed ? e : new HandlerFailed(new BotError(e, undefined as never), picked.update),
        );
      } catch (again) {
        this.busy.delete(picked.chat.key); // left open: taken again later
        throw again;
      }
    }
    // The replies go out while the worker takes the next chat's update (the database is not
    // kept waiting for Telegram); this chat's next update waits until they are sent.
    const chat = picked.chat.key;
    this.sending++;
    void this.deliver(replies)
      .catch((e) => this.deps.logger.warn({ message: (e as Error).message }, "replies not sent now: left to the send queue"))
      .finally(() => {
        this.busy.delete(chat);
        this.sending--;
        // This chat's next update, if it came meanwhile, can be taken now.
        if (this.waiting.has(chat)) this.kick(1);
        this.settle();
      });
    return true;
  }

  private async fail(id: string, chat: ReturnType<typeof chatOf>, failure: HandlerFailed): Promise<Reply[]> {
    const { bot, logger } = this.deps;
    return this.transaction(async (tx, sql) => {
      const open = await sql.query(`SELECT 1 FROM "inbox_updates" WHERE "update_id" = $1::bigint AND "handled_at" IS NULL FOR UPDATE`, [id]);
      if (open.length === 0) return [];
      const unit = new Unit(tx, chat.chatId, sql);
      if (failure.botError.ctx)
        await runInUnit(unit, () => Promise.resolve(bot.errorHandler(failure.botError))).catch((e) =>
          logger.error({ message: String(e) }, "error boundary failed"),
        );
      else logger.error({ message: failure.message, update_id: Number(id) }, "update failed");
      return finish(sql, unit, id, failure.message.slice(0, 1000), this.opts.replyGraceMs);
    });
  }

  /** A transaction, with plain SQL on its own connection (db/client.ts withRawConnection). */
  private transaction<T>(work: (tx: Tx, sql: Sql) => Promise<T>): Promise<T> {
    return withRawConnection((connection) =>
      this.deps.prisma.$transaction(
        async (tx) => {
          const c = connection();
          return work(tx, c ? rawSql(c) : prismaSql(tx));
        },
        { maxWait: this.opts.timeoutMs, timeout: this.opts.timeoutMs },
      ),
    );
  }

  /**
   * Replies sent are marked in batches (one statement every 100 ms at most): a reply is sent at
   * least once, so a mark lost in a crash only means the send queue sends it again later.
   */
  private sentIds: bigint[] = [];
  private sentTimer: NodeJS.Timeout | undefined;
  private marking: Promise<void> = Promise.resolve();
  private markSent(ids: bigint[]) {
    this.sentIds.push(...ids);
    if (!this.sentTimer && this.sentIds.length) this.sentTimer = setTimeout(() => void this.flushSent(), 100);
  }

  /** Writes the pending "sent" marks (also at stop). */
  flushSent(): Promise<void> {
    clearTimeout(this.sentTimer);
    this.sentTimer = undefined;
    const ids = this.sentIds.splice(0);
    if (ids.length === 0) return this.marking;
    this.marking = this.marking.then(() =>
      this.deps.sql
        .query(`UPDATE "outbox" SET "status" = 'sent', "sent_at" = $2::timestamp WHERE "id" = ANY($1::bigint[]) AND "status" = 'pending'`, [
          ids.map(String),
          utc(new Date()),
        ])
        .then(() => undefined)
        .catch((e) =>
          this.deps.logger.warn({ message: (e as Error).message, replies: ids.length }, "could not mark replies sent: the send queue may send them again"),
        ),
    );
    return this.marking;
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
      const params = withFile(call.method, { ...call.payload }, call.file);
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
        await this.deps.sql
          .query(`UPDATE "outbox" SET "not_before" = $2::timestamp WHERE "id" = ANY($1::bigint[])`, [
            replies.slice(i).map((r) => String(r.id)),
            utc(new Date()),
          ])
          .catch(() => {});
        break;
      }
    }
    this.markSent(sent);
  }
}

/**
 * Marks the update handled (with its error, if any) and queues the unit's deferred calls as
 * outbox rows, in one statement of its transaction; returns the rows in call order.
 */
async function finish(sql: Sql, unit: Unit, updateId: string, error: string | null, graceMs: number): Promise<Reply[]> {
  const now = Date.now();
  const rows = unit.calls.map((call, ord) => ({
    ord,
    chat_id: String(call.payload.chat_id ?? unit.chatId ?? 0),
    method: call.method,
    payload: call.payload,
    file: call.file && FILE_FIELD[call.method] ? call.file.bytes.toString("base64") : null,
    file_name: call.file?.name ?? null,
    on_sent: call.onSent ?? null,
  }));
  // Ids come from the sequence in `ord` order, so the sorted ids follow the calls.
  const ids = await sql.query<{ id: string }>(
    `WITH handled AS (
       UPDATE "inbox_updates" SET "handled_at" = timezone('UTC', now()), "error" = $6 WHERE "update_id" = $5::bigint
     )
     INSERT INTO "outbox" ("chat_id", "method", "payload", "file", "file_name", "kind", "on_sent", "not_before", "created_at")
     SELECT r."chat_id", r."method", r."payload", r."file", r."file_name", $2, r."on_sent", $3::timestamp, $4::timestamp
       FROM jsonb_to_recordset($1::jsonb) AS r("ord" int, "chat_id" bigint, "method" text, "payload" jsonb, "file" text, "file_name" text, "on_sent" text)
      ORDER BY r."ord"
     RETURNING "id"::text AS "id"`,
    [JSON.stringify(rows), REPLY_KIND, utc(new Date(now + graceMs)), utc(new Date(now)), updateId, error],
  );
  return ids
    .map((r) => BigInt(r.id))
    .sort((a, b) => (a < b ? -1 : 1))
    .map((id, i) => ({ id, call: unit.calls[i]! }));
}
