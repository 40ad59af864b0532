/**
 * How updates reach the bot: the poller or the webhook stores them in the inbox, and the inbox
 * worker handles them (platform/telegram/inbox.ts). The app and the tests start the same pipeline.
 */
import type { Bot } from "grammy";
import type { Update } from "grammy/types";
import { unavailableNotice, type BotContext } from "./bot.js";
import type { Config } from "../platform/config.js";
import type { Db } from "../platform/db/client.js";
import type { Sql } from "../platform/db/sql.js";
import type { Logger } from "../platform/logger.js";
import type { LanguageMemory } from "../platform/telegram/guard.js";
import { Inbox, storeUpdates, type InboxOptions } from "../platform/telegram/inbox.js";
import { Poller } from "../platform/telegram/poller.js";
import { START_OF_PICKED } from "./prefetch.js";

export const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"] as const;

export interface PipelineDeps {
  bot: Bot<BotContext>;
  config: Config;
  /** The database without the per-update routing (the inbox opens the transactions). */
  prisma: Db;
  sql: Sql;
  kind: "pglite" | "postgres";
  logger: Logger;
  languages: LanguageMemory;
  mode: "polling" | "webhook";
  inbox?: Partial<InboxOptions>;
  /** Long-poll timeout in seconds (tests shorten it). */
  pollTimeout?: number;
}

export interface Pipeline {
  /** Stores webhook updates (then answers 200) and starts handling them. */
  receive(updates: Update[]): Promise<void>;
  /** Resolves when nothing is being handled. */
  idle(): Promise<void>;
  /** Whether an update is being handled or its replies sent. */
  readonly working: boolean;
  /** Stops taking updates, finishes those being handled and their replies. */
  stop(): Promise<void>;
}

export function startPipeline(deps: PipelineDeps): Pipeline {
  const { bot, config, logger } = deps;
  const notice = unavailableNotice(bot, config, deps.languages);
  const inbox = new Inbox(
    { prisma: deps.prisma, sql: deps.sql, bot, logger, onUnavailable: notice },
    // PGlite has one connection: its transactions run one at a time anyway.
    // The sender, the conversation and the draft are read in the statement that picks the update.
    { concurrency: deps.kind === "pglite" ? 1 : 6, pickWith: START_OF_PICKED, replyGraceMs: config.replyGraceSeconds * 1000, ...deps.inbox },
  );
  inbox.start();
  const store = (updates: Update[]) => storeUpdates(deps.sql, updates);
  let poller: Poller | undefined;
  if (deps.mode === "polling") {
    poller = new Poller({
      api: bot.api,
      store,
      onStored: (updates) => inbox.stored(updates),
      onUnavailable: notice,
      logger,
      allowedUpdates: ALLOWED_UPDATES,
      timeout: deps.pollTimeout,
    });
    poller.start();
  }
  return {
    async receive(updates) {
      await store(updates);
      inbox.stored(updates);
    },
    idle: () => inbox.idle(),
    get working() {
      return inbox.working;
    },
    async stop() {
      await poller?.stop();
      await inbox.stop();
    },
  };
}
