/**
 * The fast layer of the tests, after ua-anti-spam-bot's prepareBotForTesting: the real bot
 * (createBot, every feature and middleware) on a test database, fed updates through
 * `handleUpdate`, with an API transformer that records every outgoing call and answers it the
 * way Telegram would, without any HTTP. One feature's behaviour is checked in milliseconds; the
 * end-to-end tests (support/harness.ts) keep the fake Bot API, the inbox and the send queue.
 *
 * The recorder is no kinder than Telegram where it matters here: a message over 4,096
 * characters or with broken HTML is an error, as Telegram would answer.
 */
import type { Bot } from "grammy";
import type { Update, UserFromGetMe } from "grammy/types";
import { afterAll, beforeAll } from "vitest";
import { type BotContext, createBot } from "../../src/app/bot.js";
import { loadConfig } from "../../src/platform/config.js";
import { createLogger } from "../../src/platform/logger.js";
import { createInvite } from "../../src/onboarding/service.js";
import type { Role } from "../../src/generated/prisma/client.js";
import { testDatabase, type TestDatabase } from "./db.js";
import { assertValidHtml } from "./fake-telegram.js";

export const ADMIN = 1;

export interface Call {
  method: string;
  payload: Record<string, unknown>;
}

export interface TestingBot {
  bot: Bot<BotContext>;
  db: TestDatabase;
  /** Every Bot API call the bot made, in order. */
  calls: Call[];
  /** The texts the bot sent (or edited into a message) to a chat, in order. */
  sentTo(chatId: number): string[];
  /** The texts of the callback query answers Telegram took (the first per press), in order. */
  answers(): Array<string | undefined>;
  /** Handles a text message (or command) from a person; resolves when the bot is done with it. */
  send(from: number, text: string): Promise<Call[]>;
  /** Handles a press on a button with this callback data; resolves when the bot is done with it. */
  press(from: number, data: string): Promise<Call[]>;
  /** A person who joined `org` with `role` (language chosen, consent given). */
  member(id: number, org: string, role?: Role): Promise<void>;
  organisation(name: string): Promise<{ id: number; name: string }>;
}

const ME = {
  id: 42,
  is_bot: true,
  first_name: "Harvest",
  username: "harvest_test_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
} satisfies UserFromGetMe;

export async function prepareBotForTesting(): Promise<TestingBot & { close(): Promise<void> }> {
  const db = await testDatabase();
  const config = loadConfig({
    BOT_TOKEN: "123456:TEST-token-for-the-fast-layer",
    ADMIN_TELEGRAM_IDS: String(ADMIN),
    LOG_LEVEL: "silent",
    RATE_LIMIT_PER_MINUTE: "10000",
  });
  const calls: Call[] = [];
  const answered = new Set<string>();
  let messageId = 1000;
  let updateId = 1;
  /** Telegram's answer to one call, decided here: no request leaves the process. */
  const answer = (method: string, p: Record<string, unknown>) => {
    calls.push({ method, payload: p });
    if ((method === "sendMessage" || method === "editMessageText") && typeof p.text === "string") {
      if (p.text.length > 4096) return { ok: false, error_code: 400, description: "Bad Request: message is too long" };
      try {
        if (p.parse_mode === "HTML") assertValidHtml(p.text);
      } catch (e) {
        return { ok: false, error_code: 400, description: (e as Error).message };
      }
    }
    if (method === "getMe") return { ok: true, result: ME };
    if (method === "answerCallbackQuery") {
      // Telegram takes one answer per press; a second one is refused.
      if (answered.has(String(p.callback_query_id)))
        return { ok: false, error_code: 400, description: "Bad Request: query is too old and response timeout expired or query ID is invalid" };
      answered.add(String(p.callback_query_id));
    }
    if (method.startsWith("send")) return { ok: true, result: { message_id: ++messageId, date: 0, chat: { id: p.chat_id, type: "private" }, text: p.text } };
    return { ok: true, result: true };
  };
  // The innermost layer: the bot's own transformers (HTML by default, splitting) run as in production.
  const telegramFetch = (async (url: string | URL, init?: RequestInit) => {
    const method = String(url).split("/").pop()!;
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : {};
    return new Response(JSON.stringify(answer(method, body)), { headers: { "content-type": "application/json" } });
  }) as typeof fetch;
  const bot = createBot(config, { prisma: db.prisma, sql: db.sql, logger: createLogger("silent"), telegramFetch });
  bot.botInfo = ME;
  const person = (id: number) => ({ id, is_bot: false, first_name: `Person${id}`, language_code: "en" });
  const handle = async (update: Omit<Update, "update_id">) => {
    const before = calls.length;
    await bot.handleUpdate({ update_id: updateId++, ...update } as Update);
    return calls.slice(before);
  };
  const t: TestingBot = {
    bot,
    db,
    calls,
    sentTo: (chatId) =>
      calls.filter((c) => (c.method === "sendMessage" || c.method === "editMessageText") && c.payload.chat_id === chatId).map((c) => String(c.payload.text)),
    answers: () => {
      const seen = new Set<unknown>();
      return calls
        .filter((c) => c.method === "answerCallbackQuery" && !seen.has(c.payload.callback_query_id) && seen.add(c.payload.callback_query_id))
        .map((c) => c.payload.text as string | undefined);
    },
    send: (from, text) =>
      handle({
        message: {
          message_id: ++messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: from, type: "private", first_name: `Person${from}` },
          from: person(from),
          text,
          ...(text.startsWith("/") ? { entities: [{ type: "bot_command", offset: 0, length: text.split(/\s/)[0]!.length }] } : {}),
        },
      }),
    press: (from, data) =>
      handle({
        callback_query: {
          id: String(++messageId),
          from: person(from),
          chat_instance: "1",
          data,
          message: { message_id: messageId, date: 0, chat: { id: from, type: "private", first_name: `Person${from}` }, text: "…" },
        },
      }),
    organisation: (name) => db.prisma.organisation.upsert({ where: { name }, create: { name }, update: {} }),
    async member(id, org, role = "leader") {
      const o = await t.organisation(org);
      const { code } = await createInvite(db.prisma, { organisationId: o.id, role, maxUses: 1, days: 1 });
      await t.send(id, `/start ${code}`);
      await t.press(id, "lang:en");
      await t.press(id, "consent:accept");
    },
  };
  return { ...t, close: () => db.close() };
}

/** One testing bot for the tests of a file: prepared before them, closed after. */
export function useTestingBot(): TestingBot {
  let current: (TestingBot & { close(): Promise<void> }) | undefined;
  beforeAll(async () => {
    current = await prepareBotForTesting();
  }, 60_000);
  afterAll(async () => {
    await current?.close();
  });
  return new Proxy({} as TestingBot, {
    get(_target, prop) {
      if (!current) throw new Error("the testing bot is used before beforeAll prepared it");
      return Reflect.get(current, prop);
    },
  });
}
