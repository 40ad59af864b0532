/**
 * The send queue. Every message is a row in `outbox`: notifications, reminders and digests, and
 * the replies of each update (queued in the update's transaction and sent right after its commit
 * by the inbox, platform/telegram/inbox.ts; this worker sends them only if that did not happen). A worker:
 * - keeps under Telegram's limits: about 30 messages a second overall, one a second per chat
 *   (replies a crash left unsent excepted: see firstReady);
 * - honours `retry_after` of a 429 (for the whole bot, as Telegram means it);
 * - retries 5xx and network errors with exponential back-off, up to a limit;
 * - records a message that finally fails (403 blocked, 400 chat not found, retries used up),
 *   tells `onFailed`, and never retries it again.
 * Rows are claimed with a lease, so two instances never send the same row; a row left
 * "sending" by a process that died is recorded as interrupted and not sent again, except a
 * reply, which is sent again (at least once).
 */
import { AsyncResource } from "node:async_hooks";
import { GrammyError, HttpError, InputFile, type Api } from "grammy";
import type { Db } from "../db/client.js";
import type { OutboxMessage, Prisma } from "../../generated/prisma/client.js";
import type { Logger } from "../logger.js";
import { currentUnit } from "./unit.js";

export type OutboxMethod = "sendMessage" | "sendPhoto" | "sendVoice" | "sendDocument" | "sendAudio" | "sendVideo";
/** Which parameter carries the uploaded file, per method (replies queued by platform/telegram/unit.ts may use any method). */
export const FILE_FIELD: Record<string, string | undefined> = {
  sendPhoto: "photo",
  sendVoice: "voice",
  sendDocument: "document",
  sendAudio: "audio",
  sendVideo: "video",
};

/** The method that sends a file of this kind again by its file id (ids only work for their own kind). */
export function sendMethodOf(kind: string): OutboxMethod {
  return ({ photo: "sendPhoto", voice: "sendVoice", audio: "sendAudio", video: "sendVideo" } as Record<string, OutboxMethod>)[kind] ?? "sendDocument";
}

/**
 * Follow-ups of sent messages, by the prefix of `on_sent` ("prompt:12:3" runs the "prompt"
 * follow-up with ["12", "3"] and the message id Telegram gave). Features register their own.
 */
export type OnSent = (prisma: Db, args: string[], messageId: number) => Promise<void>;
const followUps = new Map<string, OnSent>();
export function registerOnSent(prefix: string, action: OnSent) {
  followUps.set(prefix, action);
}
export async function runOnSent(prisma: Db, onSent: string | null | undefined, result: unknown, logger: Logger) {
  if (!onSent) return;
  const [prefix, ...args] = onSent.split(":");
  const messageId = (result as { message_id?: number } | null)?.message_id;
  const action = followUps.get(prefix!);
  if (!action || typeof messageId !== "number") return;
  await action(prisma, args, messageId).catch((e) => logger.warn({ err: String(e), on_sent: onSent }, "follow-up of a sent message failed"));
}

/** Replies are queued with their complete parameters (chat_id included, or none for answerCallbackQuery). */
export const REPLY_KIND = "reply";

/** The parameters of a queued row, its file attached. */
export function rowParams(row: Pick<OutboxMessage, "chatId" | "method" | "payload" | "file" | "fileName" | "kind">): Record<string, unknown> {
  const payload = row.payload as Record<string, unknown>;
  const params: Record<string, unknown> = row.kind === REPLY_KIND ? { ...payload } : { chat_id: Number(row.chatId), ...payload };
  return withFile(row.method, params, row.file ? { bytes: Buffer.from(row.file, "base64"), name: row.fileName ?? "file" } : undefined);
}

/** Puts an uploaded file under the method's file field. */
export function withFile(method: string, params: Record<string, unknown>, file: { bytes: Buffer; name: string } | undefined): Record<string, unknown> {
  const field = FILE_FIELD[method];
  if (field && file) params[field] = new InputFile(file.bytes, file.name);
  return params;
}

export interface Outgoing {
  chatId: number | bigint;
  method?: OutboxMethod;
  payload: Record<string, unknown>;
  file?: { bytes: Buffer; name: string };
  kind: string;
  dedupeKey?: string;
  ref?: string;
}

type Tx = Prisma.TransactionClient;

/** The send queues running in this process, woken when a queued message is committed (see `wakeSendQueues`). */
const wakers = new Set<() => void>();

/**
 * Tells this process's send queues that queued messages were committed and may go now, instead
 * of at their next look (other processes find them there). `enqueue` calls it itself outside
 * any transaction; an update's unit has the inbox call it after the commit; a caller that
 * queues in a transaction of its own calls it after that commits.
 */
export function wakeSendQueues() {
  for (const wake of wakers) wake();
}

/** Queues messages; a dedupe key already queued is skipped. */
export async function enqueue(prisma: Db | Tx, items: Outgoing | Outgoing[]) {
  // A person who deleted their data has no Telegram id any more (a negative placeholder): nothing goes to them.
  const rows = (Array.isArray(items) ? items : [items])
    .filter((m) => BigInt(m.chatId) > 0n)
    .map((m) => ({
      chatId: BigInt(m.chatId),
      method: m.method ?? "sendMessage",
      payload: m.payload as Prisma.InputJsonValue,
      file: m.file ? m.file.bytes.toString("base64") : null,
      fileName: m.file?.name ?? null,
      kind: m.kind,
      dedupeKey: m.dedupeKey ?? null,
      ref: m.ref ?? null,
    }));
  if (rows.length === 0) return 0;
  const { count } = await prisma.outboxMessage.createMany({ data: rows, skipDuplicates: true });
  const unit = currentUnit();
  if (unit) unit.queued = true;
  else if ("$transaction" in prisma) wakeSendQueues(); // the root client: already committed
  return count;
}

export interface OutboxOptions {
  perSecond: number;
  perChatMs: number;
  maxAttempts: number;
  leaseMs: number;
  /** The first retry waits this long; each next one twice as long (at most five minutes). */
  backoffMs: number;
  /** Called once for each message that finally failed. */
  onFailed?: (row: OutboxMessage, error: string) => Promise<void>;
  clock?: () => number;
}

/** How often a queue looks for rows a dead process left "sending" (not at every look: their lease lasts a minute). */
const RECOVER_EVERY_MS = 1_000;

export const OUTBOX_DEFAULTS: OutboxOptions = { perSecond: 25, perChatMs: 1_000, maxAttempts: 6, leaseMs: 60_000, backoffMs: 1_000 };

export class Outbox {
  private readonly opts: OutboxOptions;
  private readonly recent: number[] = [];
  private readonly lastPerChat = new Map<string, number>();
  private pausedUntil = 0;
  /** When leases that ran out were last looked for. */
  private recoveredAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly deps: { api: Api; prisma: Db; logger: Logger },
    opts: Partial<OutboxOptions> = {},
  ) {
    this.opts = { ...OUTBOX_DEFAULTS, ...opts };
  }

  private now() {
    return this.opts.clock?.() ?? Date.now();
  }

  /** Sends what is due, within the limits; returns how many were sent. */
  async drain(): Promise<number> {
    const { prisma } = this.deps;
    let sent = 0;
    for (;;) {
      if (this.stopped) return sent;
      const now = this.now();
      if (now < this.pausedUntil) return sent;
      if (now - this.recoveredAt >= RECOVER_EVERY_MS) {
        this.recoveredAt = now;
        await this.recover(now);
      }
      const due = await prisma.outboxMessage.findMany({
        where: { status: "pending", notBefore: { lte: new Date(now) } },
        orderBy: { id: "asc" },
        take: 50,
      });
      const ready = this.firstReady(due, now);
      if (!ready) return sent;
      while (this.recent.length && now - this.recent[0]! >= 1000) this.recent.shift();
      if (this.recent.length >= this.opts.perSecond) {
        await sleep(1000 - (now - this.recent[0]!));
        continue;
      }
      const claimed = await prisma.outboxMessage.updateMany({
        where: { id: ready.id, status: "pending" },
        data: { status: "sending", leaseUntil: new Date(now + this.opts.leaseMs), attempts: { increment: 1 } },
      });
      if (claimed.count !== 1) continue; // another instance took it
      if (await this.sendOne({ ...ready, attempts: ready.attempts + 1 })) sent++;
    }
  }

  /**
   * The first row that may go now, keeping each chat's order: a chat's messages wait one second
   * apart, except replies a crashed process left unsent. Those go out as the inbox would have sent
   * them (it sends a reply batch without pausing), so a person is not kept waiting a second per
   * reply after a restart; the overall limit and Telegram's 429 still apply.
   */
  private firstReady(due: OutboxMessage[], now: number): OutboxMessage | undefined {
    const waiting = new Set<string>();
    for (const m of due) {
      const chat = String(m.chatId);
      if (waiting.has(chat)) continue;
      if (m.kind === REPLY_KIND || now - (this.lastPerChat.get(chat) ?? 0) >= this.opts.perChatMs) return m;
      waiting.add(chat);
    }
    return undefined;
  }

  /**
   * A row whose lease ran out was being sent by a process that died: Telegram may or may not
   * have taken it. It is not sent again (a person never gets the same message twice); it is
   * recorded as interrupted for the logs and the coordinator's view of deliveries.
   * A reply is different: it answers what the person just did, so it is sent again (at least once).
   */
  private async recover(now: number) {
    const { prisma, logger } = this.deps;
    await prisma.outboxMessage.updateMany({
      where: { status: "sending", kind: REPLY_KIND, leaseUntil: { lt: new Date(now) } },
      data: { status: "pending", leaseUntil: null },
    });
    const interrupted = await prisma.outboxMessage.updateMany({
      where: { status: "sending", leaseUntil: { lt: new Date(now) } },
      data: { status: "failed", leaseUntil: null, lastError: "interrupted while sending: delivery unknown, not sent again" },
    });
    if (interrupted.count) logger.warn({ count: interrupted.count }, "messages interrupted by a crash while being sent: not sent again");
  }

  private async sendOne(row: OutboxMessage): Promise<boolean> {
    const { prisma, api, logger } = this.deps;
    const method = row.method;
    const params = rowParams(row);
    // The limits count from the moment the request leaves.
    const startedAt = this.now();
    this.recent.push(startedAt);
    this.lastPerChat.set(String(row.chatId), startedAt);
    try {
      const result = await (api.raw as unknown as Record<string, (p: unknown) => Promise<unknown>>)[method]!(params);
      await prisma.outboxMessage.update({ where: { id: row.id }, data: { status: "sent", sentAt: new Date(this.now()), leaseUntil: null } });
      await runOnSent(prisma, row.onSent, result, logger);
      return true;
    } catch (e) {
      const now = this.now();
      if (e instanceof GrammyError && e.error_code === 429) {
        const wait = (e.parameters.retry_after ?? 1) * 1000;
        this.pausedUntil = now + wait;
        logger.warn({ outbox_id: String(row.id), retry_after: wait / 1000 }, "rate limited by Telegram");
        await prisma.outboxMessage.update({
          where: { id: row.id },
          data: { status: "pending", notBefore: new Date(now + wait), leaseUntil: null, attempts: { decrement: 1 } },
        });
        return false;
      }
      const transient = (e instanceof GrammyError && e.error_code >= 500) || e instanceof HttpError;
      const error = e instanceof GrammyError ? `${e.error_code} ${e.description}` : String((e as Error).message ?? e);
      if (transient && row.attempts < this.opts.maxAttempts) {
        const backoff = Math.min(300_000, this.opts.backoffMs * 2 ** (row.attempts - 1));
        await prisma.outboxMessage.update({
          where: { id: row.id },
          data: { status: "pending", notBefore: new Date(now + backoff), leaseUntil: null, lastError: error },
        });
        logger.warn({ outbox_id: String(row.id), attempts: row.attempts, backoff_ms: backoff, error }, "send failed, will retry");
        return false;
      }
      await prisma.outboxMessage.update({ where: { id: row.id }, data: { status: "failed", leaseUntil: null, lastError: error } });
      logger.warn({ outbox_id: String(row.id), kind: row.kind, error }, "message not delivered");
      await this.opts.onFailed?.(row, error).catch((err) => logger.error({ err: String(err) }, "onFailed failed"));
      return false;
    }
  }

  /** Drains every `everyMs`, and when woken (`wakeSendQueues`), until stopped. */
  start(everyMs = 250) {
    this.stopped = false;
    let again = false;
    const tick = () => {
      if (this.stopped) return;
      if (this.running) {
        again = true; // woken while draining: look once more when done
        return;
      }
      again = false;
      this.running = this.drain()
        .then(() => undefined)
        .catch((e) => this.deps.logger.error({ err: String(e) }, "outbox run failed"))
        .finally(() => {
          this.running = undefined;
          if (again) tick();
        });
    };
    // A wake comes from whoever queued (an update's handler, a scheduler): the drain runs in the
    // queue's own async context, never inside the caller's transaction (platform/telegram/unit.ts).
    this.wake = AsyncResource.bind(tick);
    wakers.add(this.wake);
    tick();
    this.timer = setInterval(tick, everyMs);
    this.timer.unref();
  }

  private wake: (() => void) | undefined;

  /** Stops taking new rows and waits for the message being sent. */
  async stop() {
    this.stopped = true;
    if (this.wake) wakers.delete(this.wake);
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
