/**
 * Runs the bot for real: polling (@grammyjs/runner) or webhook, the send queue, the schedulers,
 * the health endpoint, and a graceful stop. main.ts wires it to the process; tests start it too.
 */
import { run, type RunnerHandle } from "@grammyjs/runner";
import type { Bot } from "grammy";
import { createBot, queueApi, registerCommands, type BotContext, type BotDeps } from "../bot.js";
import type { Config } from "../config.js";
import type { Database } from "../db/client.js";
import { startDigests } from "../digest/digest.js";
import { startRoundReminders } from "../harvest/rounds.js";
import type { Logger } from "../logger.js";
import { startReminders } from "../substantiation/reminders.js";
import { onOutboxFailure } from "../telegram/failures.js";
import { Outbox, type OutboxOptions } from "../telegram/outbox.js";
import { purgeProcessedUpdates } from "../telegram/updates.js";
import { InFlight } from "./inflight.js";
import { HttpServer } from "./server.js";

export const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"] as const;

export interface AppDeps {
  db: Database;
  logger: Logger;
  /** Send queue options (tests shorten the pauses). */
  outbox?: Partial<OutboxOptions> & { everyMs?: number };
  /** Start the schedulers (reminders, digests, rounds); default true. */
  schedulers?: boolean;
}

export interface App {
  bot: Bot<BotContext>;
  /** The port of the HTTP server (webhook and health). */
  port: number;
  /** Stops taking updates, finishes those in flight and the message being sent, closes the database. */
  stop(): Promise<void>;
}

const CONNECT_TIMEOUT_MS = 30_000;

export async function startApp(config: Config, deps: AppDeps): Promise<App> {
  const { db, logger } = deps;
  const inFlight = new InFlight();
  const deps_: BotDeps = { prisma: db.prisma, sql: db.sql, logger, inFlight };
  const bot = createBot(config, deps_);
  let stopping = false;

  logger.info({ api_root: config.apiRoot, mode: config.mode }, "connecting to the Telegram Bot API");
  await withTimeout(
    bot.init().then(() => registerCommands(bot.api)),
    CONNECT_TIMEOUT_MS,
    "cannot reach the Telegram Bot API (check BOT_TOKEN, TELEGRAM_API_ROOT and the network)",
  );

  const webhookPath = config.mode === "webhook" ? new URL(config.webhookUrl!).pathname : undefined;
  const server = new HttpServer({
    host: config.host,
    port: config.port,
    webhookPath,
    webhookSecret: config.webhookSecret,
    onUpdate: config.mode === "webhook" ? (update) => bot.handleUpdate(update) : undefined,
    logger,
    async health() {
      if (stopping) return { ok: false, detail: { reason: "stopping" } };
      try {
        await db.prisma.$queryRaw`SELECT 1`;
        return { ok: true, detail: { mode: config.mode, database: db.kind, in_flight: inFlight.size } };
      } catch {
        return { ok: false, detail: { mode: config.mode, database: "unreachable" } };
      }
    },
  });
  const port = await server.listen();
  logger.info({ port, host: config.host }, config.mode === "webhook" ? "webhook and health endpoint listening" : "health endpoint listening");

  const { everyMs, ...outboxOptions } = deps.outbox ?? {};
  const outbox = new Outbox({ api: queueApi(config), prisma: db.prisma, logger }, { onFailed: onOutboxFailure(db.prisma, logger), ...outboxOptions });
  outbox.start(everyMs);
  const stoppers: Array<() => void> = [];
  if (deps.schedulers !== false) {
    stoppers.push(startReminders({ prisma: db.prisma, logger }, config));
    stoppers.push(startDigests({ prisma: db.prisma, logger }, config));
    stoppers.push(startRoundReminders({ prisma: db.prisma, logger }, config));
  }
  const purge = () =>
    purgeProcessedUpdates(db.prisma)
      .then((n) => n && logger.info({ purged: n }, "old update ids forgotten"))
      .catch((e) => logger.warn({ message: (e as Error).message }, "could not purge old update ids"));
  void purge();
  const purgeTimer = setInterval(purge, 3_600_000);
  purgeTimer.unref();

  let runner: RunnerHandle | undefined;
  if (config.mode === "webhook") {
    // Only once the server listens can Telegram deliver; then tell Telegram where.
    await bot.api.setWebhook(config.webhookUrl!, { secret_token: config.webhookSecret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false });
    logger.info({ username: bot.botInfo.username, database: db.kind }, "bot started (webhook)");
  } else {
    await bot.api.deleteWebhook({ drop_pending_updates: false });
    runner = run(bot, {
      runner: { fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: 25 }, silent: true, retryInterval: 1000 },
    });
    logger.info({ username: bot.botInfo.username, api_root: config.apiRoot, database: db.kind }, "bot started (polling)");
  }

  return {
    bot,
    port,
    async stop() {
      if (stopping) return;
      stopping = true;
      stoppers.forEach((s) => s());
      clearInterval(purgeTimer);
      // No new updates: the poller stops asking, the webhook stops listening (Telegram retries
      // what it could not deliver at another instance or after the restart).
      await Promise.all([runner?.isRunning() ? runner.stop() : undefined, server.close()]);
      await inFlight.idle();
      await deps_.flushHandled?.();
      await outbox.stop(); // finishes the message being sent
      await db.close();
    },
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
