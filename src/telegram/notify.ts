import { GrammyError, type Api } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { isLang, translator, type Lang } from "../i18n/index.js";
import type { Logger } from "../logger.js";

export interface Recipient {
  telegramId: bigint;
  language: string | null;
}

/** The interface language of someone who is not the sender of this update. */
export const langOf = (r: { language: string | null }, fallback: Lang = "en"): Lang => (isLang(r.language) ? r.language : fallback);

/**
 * Sends a message to someone other than the sender, in their own language. Returns false when
 * Telegram refuses it for good (blocked the bot, deleted account): the caller records that.
 */
export async function notify(
  api: Api,
  log: Logger,
  to: Recipient,
  key: string,
  params: Record<string, unknown> = {},
  replyMarkup?: InlineKeyboardMarkup | ((t: ReturnType<typeof translator>) => InlineKeyboardMarkup),
): Promise<boolean> {
  const t = translator(langOf(to));
  try {
    await api.sendMessage(Number(to.telegramId), t(key, params), {
      parse_mode: "HTML",
      reply_markup: typeof replyMarkup === "function" ? replyMarkup(t) : replyMarkup,
      link_preview_options: { is_disabled: true },
    });
    return true;
  } catch (e) {
    if (e instanceof GrammyError && (e.error_code === 403 || e.error_code === 400)) {
      log.warn({ key, error_code: e.error_code, description: e.description }, "message not delivered");
      return false;
    }
    throw e;
  }
}
