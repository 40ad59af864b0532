/** Runs the real bot (createBot + long polling) against the fake Bot API and a test database. */
import { afterAll, beforeAll } from "vitest";
import type { Api, Bot } from "grammy";
import { createLogger } from "../../src/platform/logger.js";
import { createBot, queueApi, type BotContext, type BotDeps } from "../../src/app/bot.js";
import { loadConfig } from "../../src/platform/config.js";
import { createInvite } from "../../src/onboarding/service.js";
import type { Role } from "../../src/generated/prisma/client.js";
import { onOutboxFailure } from "../../src/review/undelivered.js";
import { Outbox } from "../../src/platform/telegram/outbox.js";
import { fileDownloader } from "../../src/platform/telegram/files.js";
import { startImportReader } from "../../src/import/reader.js";
import { startPipeline, type Pipeline } from "../../src/app/pipeline.js";
import { FakeTelegram } from "./fake-telegram.js";
import { logSink } from "./secrets.js";
import { testDatabase, type TestDatabase } from "./db.js";
import { FakeUser } from "./user.js";

export const ADMIN_ID = 5000;

export interface Harness {
  tg: FakeTelegram;
  db: TestDatabase;
  bot: Bot<BotContext>;
  /** The Bot API handle the send queue uses (no automatic retries: the queue does its own). */
  sendApi: Api;
  stop(): Promise<void>;
  /** Stops polling and starts a new bot instance on the same database (conversation state is in the DB). */
  restartBot(): Promise<void>;
  user(id: number, firstName?: string, languageCode?: string): FakeUser;
  invite(org: string, role?: Role, opts?: { uses?: number; days?: number }): Promise<string>;
  /** Invites, onboards (language + consent) and returns a ready member. */
  member(id: number, org: string, lang?: "en" | "km", role?: Role): Promise<FakeUser>;
  organisation(name: string): Promise<{ id: number; name: string }>;
  /** Warnings and errors the bot logged, and every refusal, as parsed pino lines. */
  logs: Array<Record<string, unknown>>;
}

export interface HarnessOptions {
  /** Run the send queue (default true); the queue's own test runs its own. */
  outbox?: boolean;
}

export async function startHarness(env: Record<string, string> = {}, opts: HarnessOptions = {}): Promise<Harness> {
  const tg = new FakeTelegram();
  const apiRoot = await tg.start();
  const db = await testDatabase();
  const config = loadConfig({
    BOT_TOKEN: tg.token,
    TELEGRAM_API_ROOT: apiRoot,
    ADMIN_TELEGRAM_IDS: String(ADMIN_ID),
    LOG_LEVEL: "silent",
    RATE_LIMIT_PER_MINUTE: "10000",
    ...env,
  });
  const logs: Array<Record<string, unknown>> = [];
  // Every line (debug and up) goes to the run's log directory, checked for secrets at the end;
  // warnings and errors are also kept for the tests. No masking here: the bot's code itself must
  // never log a secret (main.ts masks them as well).
  const sink = logSink("harness");
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? "debug", {
    destination: {
      write(line: string) {
        sink(line);
        const entry = JSON.parse(line);
        if (entry.level >= 40 || String(entry.msg).startsWith("refused")) logs.push(entry);
        if (process.env.TEST_LOG_LEVEL) process.stderr.write(line);
      },
    },
  });
  let bot: Bot<BotContext>;
  let deps: BotDeps;
  const sendApi = queueApi(config);
  let outbox: Outbox;
  let pipeline: Pipeline;
  let stopImportReader = async () => {};
  const launch = async () => {
    deps = { prisma: db.prisma, sql: db.sql, logger };
    bot = createBot(config, deps);
    await bot.init();
    // The bot's own pipeline: the poller stores each batch in the inbox, the inbox handles it.
    pipeline = startPipeline({
      bot,
      config,
      prisma: db.prisma,
      sql: db.sql,
      kind: db.kind,
      logger,
      languages: deps.languages!,
      mode: "polling",
      pollTimeout: 1,
    });
    // "Settled" means handled, not only fetched: the fake asks the inbox too.
    tg.busy = async () =>
      pipeline.working || (await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM "inbox_updates" WHERE "handled_at" IS NULL`))[0]!.n > 0;
    // The send queue, without the per-chat pause so tests run quickly (test/outbox.test.ts checks the
    // limits). What this process queues wakes it; it looks on its own only for what others queued.
    outbox = new Outbox({ api: sendApi, prisma: db.prisma, logger }, { perChatMs: 0, perSecond: 1000, onFailed: onOutboxFailure(db.prisma, logger) });
    if (opts.outbox !== false) outbox.start(100);
    // The reader of files sent to /import, as the runtime runs it (downloads through the fake).
    stopImportReader = startImportReader({ prisma: db.prisma, logger, download: fileDownloader(config), timeZone: config.timeZone }, 100);
  };
  await launch();
  const h: Harness = {
    tg,
    db,
    logs,
    sendApi,
    get bot() {
      return bot;
    },
    async stop() {
      await stopImportReader();
      await outbox.stop();
      await pipeline.stop();
      await tg.stop();
      await db.close();
    },
    async restartBot() {
      await stopImportReader();
      await outbox.stop();
      await pipeline.stop();
      await launch();
    },
    user: (id, firstName, languageCode) => new FakeUser(tg, id, firstName, languageCode),
    async organisation(name) {
      return db.prisma.organisation.upsert({ where: { name }, create: { name }, update: {} });
    },
    async invite(org, role = "leader", opts = {}) {
      const o = await h.organisation(org);
      const { code } = await createInvite(db.prisma, { organisationId: o.id, role, maxUses: opts.uses ?? 10, days: opts.days ?? 7 });
      return code;
    },
    async member(id, org, lang = "en", role = "leader") {
      const code = await h.invite(org, role);
      const u = h.user(id);
      await u.join(code, lang);
      await u.expect("/help"); // the list of commands that follows the welcome
      await u.drain(50);
      return u;
    },
  };
  return h;
}

/**
 * One harness (bot, fake Bot API, database) for the tests of a file or describe block: started
 * before them, stopped after. The returned object forwards to it once it is started.
 */
export function useHarness(env: Record<string, string> = {}, opts: HarnessOptions = {}): Harness {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(env, opts);
  }, 120_000);
  afterAll(async () => {
    await current?.stop();
  });
  return new Proxy({} as Harness, {
    get(_target, prop) {
      if (!current) throw new Error("the harness is used before beforeAll started it");
      return Reflect.get(current, prop);
    },
  });
}
