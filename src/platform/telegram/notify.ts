import type { InlineKeyboardMarkup } from "grammy/types";
import type { Db } from "../db/client.js";
import type { Prisma } from "../../generated/prisma/client.js";
import { isLang, translator, type Lang, type T } from "../i18n/index.js";
import { enqueue } from "./outbox.js";

export interface Recipient {
  telegramId: bigint;
  language: string | null;
}

/** The interface language of someone who is not the sender of this update. */
export const langOf = (r: { language: string | null }, fallback: Lang = "en"): Lang => (isLang(r.language) ? r.language : fallback);

/**
 * Queues a message to someone other than the sender, in their own language. It goes out through
 * the send queue (rate limits, retries); a final failure reaches the queue's onFailed with `ref`.
 */
export async function notify(
  prisma: Db | Prisma.TransactionClient,
  to: Recipient,
  key: string,
  params: Record<string, unknown> = {},
  replyMarkup?: InlineKeyboardMarkup | ((t: T) => InlineKeyboardMarkup),
  opts: { kind?: string; ref?: string; dedupeKey?: string } = {},
): Promise<void> {
  const t = translator(langOf(to));
  const markup = typeof replyMarkup === "function" ? replyMarkup(t) : replyMarkup;
  await enqueue(prisma, {
    chatId: to.telegramId,
    payload: {
      text: t(key, params),
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      ...(markup ? { reply_markup: JSON.parse(JSON.stringify(markup)) } : {}),
    },
    kind: opts.kind ?? "notification",
    ref: opts.ref,
    dedupeKey: opts.dedupeKey,
  });
}
