import type { ConversationFlavor } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Config } from "../platform/config.js";
import type { Db } from "../platform/db/client.js";
import type { DraftView } from "../harvest/service.js";
import type { Sql } from "../platform/db/sql.js";
import type { User } from "../generated/prisma/client.js";
import type { Lang, T } from "../platform/i18n/index.js";
import type { Logger } from "../platform/logger.js";
import type { InFlight } from "../platform/inflight.js";
import type { LanguageMemory } from "../platform/telegram/guard.js";

export interface BotDeps {
  prisma: Db;
  /** Plain SQL for the per-update queries; made from `prisma` when not given. */
  sql?: Sql;
  logger: Logger;
  /** The clock; tests may replace it. */
  now?: () => Date;
  /** Each person's language as last seen, so a message can be written without the database. */
  languages?: LanguageMemory;
  /** Counts updates being handled, so a graceful stop can wait for them. */
  inFlight?: InFlight;
  /** How Bot API requests are made (the fast tests answer them in-process); retried HTTP by default. */
  telegramFetch?: typeof fetch;
}

export interface AppContextExtras {
  config: Config;
  deps: BotDeps;
  /** A logger carrying this update's id. */
  log: Logger;
  /** The database row of the sender, if they have one. */
  user: User | null;
  /** How many active memberships the sender has (0 for a guest or a substantiator). */
  memberCount: number;
  /** The draft the sender is writing, as read at the start of this update (before any change). */
  openDraft: DraftView | null;
  lang: Lang;
  t: T;
  isAdmin: boolean;
}

export type BotContext = ConversationFlavor<Context & AppContextExtras>;
