/**
 * Runs the bot for real: the update pipeline (poller or webhook into the durable inbox), the send
 * queue, the schedulers, the health and status endpoints, and a graceful stop. main.ts wires it
 * to the process; tests start it too.
 */
import type { Bot } from "grammy";
import { createBot, queueApi, registerCommands, type BotContext, type BotDeps } from "./bot.js";
import type { Config } from "../platform/config.js";
import type { Database } from "../platform/db/client.js";
import { startDigests } from "../reporting/service.js";
import { startRoundReminders } from "../harvest/round-reminders.js";
import { startImportReader } from "../import/reader.js";
import { fileDownloader } from "../platform/telegram/files.js";
import type { Logger } from "../platform/logger.js";
import { startReminders } from "../substantiation/source-reminders.js";
import { onOutboxFailure } from "../review/undelivered.js";
import { Outbox, type OutboxOptions } from "../platform/telegram/outbox.js";
import { purgeInbox, type InboxOptions } from "../platform/telegram/inbox.js";
import { InFlight } from "../platform/inflight.js";
import { HttpServer, internalServer, type Timeouts } from "./http.js";
import { registerConsole } from "./console.js";
import { ALLOWED_UPDATES, startPipeline } from "./pipeline.js";

export { ALLOWED_UPDATES };

export interface AppDeps {
  db: Database;
  logger: Logger;
  /** Send queue options (tests shorten the pauses). */
  outbox?: Partial<OutboxOptions> & { everyMs?: number };
  /** HTTP timeouts (tests shorten them). */
  http?: Timeouts;
  /** Inbox worker options (tests shorten the look-again period). */
  inbox?: Partial<InboxOptions>;
  /** The clock of the console's checks (tests set it). */
  now?: () => Date;
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
  const health = await databaseHealth(db);
  const pipeline = startPipeline({
    bot,
    config,
    prisma: db.prisma,
    sql: db.sql,
    kind: db.kind,
    logger,
    languages: deps_.languages!,
    mode: config.mode,
    inbox: deps.inbox,
  });
  const server = new HttpServer({
    host: config.host,
    port: config.port,
    webhookPath: config.mode === "webhook" ? new URL(config.webhookUrl!).pathname : undefined,
    webhookSecret: config.webhookSecret,
    onUpdate: config.mode === "webhook" ? (update) => pipeline.receive([update]) : undefined,
    logger,
    healthy: () => !stopping && health.up(),
    timeouts: deps.http,
    routes: config.publicUrl
      ? (fastify) => registerConsole(fastify, { prisma: db.prisma, config, download: fileDownloader(config), now: deps.now, logger })
      : undefined,
  });
  const port = await server.listen();
  logger.info({ port, host: config.host }, config.mode === "webhook" ? "webhook and health endpoint listening" : "health endpoint listening");
  const status = () => statusDetail(config, db, { up: health.up(), inFlight: inFlight.size, stopping });
  const internal = config.internalPort === undefined ? undefined : await internalServer(config.internalPort, status, logger);
  if (internal) logger.info({ port: internal.port }, "internal status endpoint listening on 127.0.0.1");
  const background = startBackground(config, deps);
  await announce(bot, config, db.kind, logger);

  return {
    bot,
    port,
    async stop() {
      if (stopping) return;
      stopping = true;
      background.stopTimers();
      health.stop();
      // No new updates: the poller stops asking, the webhook stops listening (Telegram delivers
      // again what it could not deliver, at another instance or after the restart). What is
      // stored and not yet handled stays in the inbox for the next start.
      await Promise.all([pipeline.stop(), server.close(), internal?.close()]);
      await inFlight.idle();
      await background.stopQueue(); // finishes the message being sent
      await db.close();
    },
  };
}

/** The database check behind /healthz: on a timer, so a request never queries the database. */
async function databaseHealth(db: Database) {
  let up = true;
  const check = () =>
    db.sql
      .query("SELECT 1")
      .then(() => {
        up = true;
      })
      .catch(() => {
        up = false;
      });
  await check();
  const timer = setInterval(check, HEALTH_EVERY_MS);
  timer.unref();
  return { up: () => up, stop: () => clearInterval(timer) };
}

/** What GET /status on the internal port says: mode, database, the inbox's backlog, updates in flight. */
async function statusDetail(config: Config, db: Database, state: { up: boolean; inFlight: number; stopping: boolean }) {
  const [inbox] = await db.sql
    .query<{ open: number; oldest: number | null }>(
      `SELECT count(*)::int AS "open", (extract(epoch from min("received_at")) * 1000)::float8 AS "oldest" FROM "inbox_updates" WHERE "handled_at" IS NULL`,
    )
    .catch(() => [undefined]);
  return {
    status: !state.stopping && state.up ? "ok" : "unavailable",
    mode: config.mode,
    database: { kind: db.kind, reachable: state.up },
    in_flight: state.inFlight,
    inbox: inbox ? { open: inbox.open, oldest_received: inbox.oldest ? new Date(inbox.oldest).toISOString() : null } : "unknown",
    stopping: state.stopping,
  };
}

/** The send queue, the schedulers (reminders, digests, round reminders), the reader of imported files and the inbox's hourly purge. */
function startBackground(config: Config, deps: AppDeps) {
  const { db, logger } = deps;
  const { everyMs, ...outboxOptions } = deps.outbox ?? {};
  const outbox = new Outbox({ api: queueApi(config), prisma: db.prisma, logger }, { onFailed: onOutboxFailure(db.prisma, logger), ...outboxOptions });
  outbox.start(everyMs);
  const stoppers: Array<() => void> = [];
  if (deps.schedulers !== false) {
    stoppers.push(startReminders({ prisma: db.prisma, logger }, config));
    stoppers.push(startDigests({ prisma: db.prisma, logger }, config));
    stoppers.push(startRoundReminders({ prisma: db.prisma, logger }, config));
    stoppers.push(startImportReader({ prisma: db.prisma, logger, download: fileDownloader(config), timeZone: config.timeZone }));
  }
  const purge = () =>
    purgeInbox(db.prisma)
      .then((n) => n && logger.info({ purged: n }, "old handled updates forgotten"))
      .catch((e) => logger.warn({ message: (e as Error).message }, "could not purge old handled updates"));
  void purge();
  const purgeTimer = setInterval(purge, 3_600_000);
  purgeTimer.unref();
  return {
    stopTimers() {
      for (const s of stoppers) s();
      clearInterval(purgeTimer);
    },
    stopQueue: () => outbox.stop(),
  };
}

/** Tells Telegram how updates reach this bot: the webhook (once the server listens), or none (polling). */
async function announce(bot: Bot<BotContext>, config: Config, kind: Database["kind"], logger: Logger) {
  if (config.mode === "webhook") {
    await bot.api.setWebhook(config.webhookUrl!, { secret_token: config.webhookSecret, allowed_updates: [...ALLOWED_UPDATES], drop_pending_updates: false });
    logger.info({ username: bot.botInfo.username, database: kind }, "bot started (webhook)");
  } else {
    await bot.api.deleteWebhook({ drop_pending_updates: false });
    logger.info({ username: bot.botInfo.username, api_root: config.apiRoot, database: kind }, "bot started (polling)");
  }
}

/** How often the health endpoint's database check runs. */
export const HEALTH_EVERY_MS = 5_000;

async function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message}: no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
