import { conversations } from "@grammyjs/conversations";
import { Api, Bot, type BotError, Composer, type Context, GrammyError, HttpError, type MiddlewareFn } from "grammy";
import type { Update } from "grammy/types";
import type { Config } from "../platform/config.js";
import { harvestFeature, HARVEST_STATE_VERSION } from "../harvest/feature.js";
import { isLang, translator, type Lang } from "../platform/i18n/index.js";
import { accessGate, membersFeature, onboardingFeature, organisationsFeature } from "../onboarding/feature.js";
import { classifyFeature } from "../classification/feature.js";
import { answerPickCancelFeature, authorFeature, reviewFeature, reviewInputRoutes, unpromptedAnswerFeature } from "../review/feature.js";
import { classificationInputRoutes } from "../classification/feature.js";
import { importFeature, importInputRoutes } from "../import/feature.js";
import { sourceFeature, substantiationFeature, substantiationInputRoutes, suggestionsFeature } from "../substantiation/feature.js";
import { typedInput } from "../shared/typed-input.js";
import { chartsFeature, digestFeature, exportFeature, reportsFeature } from "../reporting/feature.js";
import { consoleFeature } from "../console/feature.js";
import { privacyFeature } from "../privacy/feature.js";
import type { BotContext, BotDeps } from "../shared/context.js";
import { isDatabaseUnavailable } from "../platform/db/client.js";
import { MovedOnError } from "../shared/errors.js";
import { prismaSql, type Sql } from "../platform/db/sql.js";
import { retryingFetch, RETRY_DEFAULTS } from "../platform/telegram/fetch.js";
import { LanguageMemory, RateLimiter, rateLimit } from "../platform/telegram/guard.js";
import { htmlByDefault, splitLongMessages } from "../platform/telegram/limits.js";
import { CONVERSATION_PREFIX, conversationStorage, type PrefetchedState } from "../platform/telegram/storage.js";
import { beginUpdate, toUpdateStart } from "./prefetch.js";
import { chatOf } from "../platform/telegram/inbox.js";
import { currentUnit, deferCalls, unitPrisma, unitSql } from "../platform/telegram/unit.js";

export type { BotContext, BotDeps };
export { commandList, registerChatCommands, registerCommands, ROLE_COMMANDS } from "../shared/menus.js";

/**
 * The Bot API handle of the send queue: without automatic retries, because the queue does its
 * own (a 429 pauses the whole queue, a 5xx backs the one message off).
 */
export function queueApi(config: Config): Api {
  const api = new Api(config.botToken, { apiRoot: config.apiRoot, timeoutSeconds: config.telegramTimeoutSeconds });
  api.config.use(splitLongMessages());
  return api;
}

/** One chat's updates are handled one after another: the key of its conversation state. */
export const chatKey = (ctx: Context) => ctx.chatId?.toString();

/** Builds the bot. Nothing starts until the caller calls bot.start() or handles updates. */
export function createBot(config: Config, deps: BotDeps): Bot<BotContext> {
  // Telegram's 429 (after retry_after), 5xx, network failures and slow answers are retried a few
  // times, also inside conversations (see telegram/fetch.ts); grammY's own timeout covers them all.
  const bot = new Bot<BotContext>(config.botToken, {
    client: {
      apiRoot: config.apiRoot,
      fetch: deps.telegramFetch ?? retryingFetch({ attemptTimeoutMs: config.telegramTimeoutSeconds * 1000 }),
      timeoutSeconds: config.telegramTimeoutSeconds * RETRY_DEFAULTS.attempts + 60,
    },
  });
  // Every text fits Telegram's limit, whatever people typed (inside conversations too, below).
  // Inside an update's transaction, sending calls wait for the commit (platform/telegram/unit.ts).
  bot.api.config.use(splitLongMessages(), deferCalls(), htmlByDefault());
  // Every query of an update runs in the update's transaction (platform/telegram/inbox.ts, unit.ts).
  deps.prisma = unitPrisma(deps.prisma);
  const sql = unitSql(deps.sql ?? prismaSql(deps.prisma));
  deps.sql = sql;
  deps.languages ??= new LanguageMemory();

  if (deps.inFlight) {
    const inFlight = deps.inFlight;
    bot.use((_ctx, next) => inFlight.run(next));
  }
  bot.use(updateContext(config, deps, deps.languages));
  bot.use(rateLimit(new RateLimiter(config.rateLimitPerMinute, () => deps.now?.().getTime() ?? Date.now(), config.rateLimitPressesPerMinute)));
  const prefetched: PrefetchedState = { values: new Map(), absent: new Set() };
  bot.use(prefetch(config, sql, deps.languages, prefetched));
  bot.use(privateChatsOnly);
  bot.use(harvestConversations(sql, prefetched));
  bot.use(features());
  bot.on("callback_query", async (ctx) => {
    await ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button"), show_alert: false });
  });
  bot.on("message", async (ctx) => {
    await ctx.reply(ctx.t("errors.unknown_input"));
  });
  bot.catch(errorBoundary(deps));
  return bot;
}

/** The context of an update: config, deps, a logger with the update id, the language known without the database. */
function updateContext(config: Config, deps: BotDeps, languages: LanguageMemory): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    ctx.config = config;
    ctx.deps = deps;
    ctx.log = deps.logger.child({ update_id: ctx.update.update_id });
    ctx.isAdmin = ctx.from ? config.adminTelegramIds.has(ctx.from.id) : false;
    ctx.lang = (ctx.from && languages.get(ctx.from.id)) ?? pickLanguage(undefined, config.defaultLocale, ctx.from?.language_code);
    ctx.t = translator(ctx.lang);
    ctx.user = null;
    ctx.memberCount = 0;
    ctx.openDraft = null;
    const started = Date.now();
    await next();
    ctx.log.debug({ ms: Date.now() - started }, "update handled");
  };
}

/** One round trip: the sender, the chat's conversation state and the open draft (read already when the inbox picked the update, or now). */
function prefetch(config: Config, sql: Sql, languages: LanguageMemory, prefetched: PrefetchedState): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const from = ctx.from;
    const key = chatKey(ctx);
    const stateKey = key === undefined ? undefined : `${CONVERSATION_PREFIX}${key}`;
    const unit = currentUnit();
    const picked = unit?.picked?.updateId === ctx.update.update_id ? unit.picked.row : undefined;
    if (unit) unit.picked = undefined;
    const start = picked ? toUpdateStart(picked) : await beginUpdate(sql, { telegramId: from?.id, stateKey });
    ctx.user = start.user;
    ctx.memberCount = start.activeMemberships;
    ctx.lang = pickLanguage(ctx.user?.language, config.defaultLocale, from?.language_code);
    ctx.t = translator(ctx.lang);
    if (from) languages.set(from.id, ctx.lang);
    ctx.openDraft = start.draft;
    if (stateKey) {
      prefetched.values.set(stateKey, start.conversation);
      if (start.conversation === null) prefetched.absent.add(stateKey);
    }
    try {
      await next();
    } finally {
      if (stateKey) {
        prefetched.values.delete(stateKey);
        prefetched.absent.delete(stateKey);
      }
    }
  };
}

/** Only private chats: statements name people, they never belong in a group. */
const privateChatsOnly: MiddlewareFn<BotContext> = async (ctx, next) => {
  if (ctx.chat && ctx.chat.type !== "private") {
    if (ctx.message?.text?.startsWith("/")) await ctx.reply(ctx.t("errors.private_only"));
    return;
  }
  await next();
};

/** The conversations plugin, its state in the database (read with the update, see prefetch). */
function harvestConversations(sql: Sql, prefetched: PrefetchedState) {
  return conversations<BotContext, BotContext>({
    // A conversation's context has an Api of its own: it gets the same message splitting.
    plugins: [
      (ctx, next) => {
        // The plugin's own transformer (installed first) records each call's result in the
        // replay log; it must stay outermost, so that a deferred call is logged with its
        // stand-in result and not made again when the plugin replays.
        const recorder = ctx.api.config.installedTransformers();
        const api = new Api(ctx.api.token, ctx.api.options);
        api.config.use(splitLongMessages(), deferCalls(), htmlByDefault(), ...recorder);
        (ctx as { api: Api }).api = api;
        return next();
      },
    ],
    storage: {
      type: "key",
      version: HARVEST_STATE_VERSION,
      prefix: CONVERSATION_PREFIX,
      getStorageKey: chatKey,
      adapter: conversationStorage(sql, prefetched),
    },
  });
}

/** The features, in the order of the method, with the access gate where membership starts to matter. */
function features(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  // Substantiators need no membership: their links, answers and buttons come before the gate.
  c.use(sourceFeature());
  c.use(privacyFeature());
  c.use(onboardingFeature());
  c.use(accessGate());
  // Typed answers to a question, note or edit the bot asked for; before the harvest conversation.
  c.use(typedInput({ ...reviewInputRoutes, ...importInputRoutes, ...classificationInputRoutes, ...substantiationInputRoutes }));
  c.use(answerPickCancelFeature());
  c.use(harvestFeature());
  c.use(importFeature());
  c.use(authorFeature());
  c.use(suggestionsFeature());
  c.use(organisationsFeature());
  c.use(membersFeature());
  c.use(reviewFeature());
  c.use(classifyFeature());
  c.use(substantiationFeature());
  c.use(reportsFeature());
  c.use(exportFeature());
  c.use(chartsFeature());
  c.use(digestFeature());
  c.use(consoleFeature());
  // Last: anything a person sends that nothing above took may answer a coordinator's question.
  c.use(unpromptedAnswerFeature());
  return c;
}

/** The one error boundary: log with the update id, tell the person, never crash. */
function errorBoundary(deps: BotDeps) {
  return async (err: BotError<BotContext>) => {
    const ctx = err.ctx;
    const e = err.error;
    if (e instanceof MovedOnError) {
      // A compare-and-set lost: nothing was written (the update's transaction is rolled back).
      (ctx.log ?? deps.logger).info({ message: e.message }, "state moved on: nothing changed");
      await ctx.conversation?.exitAll().catch(() => {});
      if (ctx.chat?.type === "private") await ctx.reply(translator(ctx.lang ?? "en")("errors.moved_on")).catch(() => {});
      return;
    }
    (ctx.log ?? deps.logger).error(errorDetail(e), "update failed");
    // A conversation that failed is closed: its draft keeps every answer and the step, and the
    // next message re-opens it there. This also covers replay logs that no longer fit the code.
    await ctx.conversation?.exitAll().catch(() => {});
    if (ctx.chat?.type === "private") {
      try {
        await ctx.reply(translator(ctx.lang ?? "en")(isDatabaseUnavailable(e) ? "errors.unavailable" : "errors.internal"));
      } catch {
        /* Telegram unreachable too: already logged */
      }
    }
  };
}

/** What the log says of an error: the Bot API's answer, the network failure (without the token), or the stack. */
function errorDetail(e: unknown): Record<string, unknown> {
  if (e instanceof GrammyError) return { method: e.method, description: e.description };
  if (e instanceof HttpError) {
    const inner = e.error as { name?: string; message?: unknown; code?: string; type?: string; cause?: { code?: string } };
    return {
      http: e.message,
      error: inner?.name,
      reason: scrubToken(typeof inner?.message === "string" ? inner.message : JSON.stringify(inner?.message)),
      code: inner?.code ?? inner?.cause?.code,
      type: inner?.type,
    };
  }
  return { message: (e as Error)?.message, stack: (e as Error)?.stack };
}

/**
 * Tells the sender of an update, straight away and without the database, that it cannot be
 * reached and that their message is kept (the inbox handles it once the database is back).
 */
export function unavailableNotice(bot: Bot<BotContext>, config: Config, languages: LanguageMemory) {
  return async (updates: Update | Update[]) => {
    const told = new Set<number>();
    for (const u of Array.isArray(updates) ? updates : [updates]) {
      const { chatId } = chatOf(u);
      const from = u.message?.from ?? u.callback_query?.from ?? u.edited_message?.from;
      if (chatId === undefined || told.has(chatId) || (u.message?.chat ?? u.callback_query?.message?.chat)?.type !== "private") continue;
      told.add(chatId);
      const lang = (from && languages.get(from.id)) ?? pickLanguage(undefined, config.defaultLocale, from?.language_code);
      await bot.api.sendMessage(chatId, translator(lang)("errors.unavailable")).catch(() => {});
    }
  };
}

/** Network errors quote the request URL, which holds the token: never log it. */
export function scrubToken(text: string | undefined): string | undefined {
  return text?.replace(/\/bot\d+:[A-Za-z0-9_-]+/g, "/bot<token>");
}

export function pickLanguage(stored: string | null | undefined, configured: Lang | undefined, telegram: string | undefined): Lang {
  if (isLang(stored)) return stored;
  if (configured) return configured;
  return telegram?.toLowerCase().startsWith("km") ? "km" : "en";
}
