/**
 * Every message fits Telegram's limit, whatever people typed: an API transformer that splits a
 * text over the limit into several messages (the buttons go with the last piece). Views pack
 * their own sections first (telegram/split.ts packMessages); this is the guarantee under them,
 * for the bot's replies, for messages sent inside conversations and for the send queue.
 */
import type { Transformer } from "grammy";
import { MESSAGE_LIMIT, splitHtml, TELEGRAM_TEXT_LIMIT } from "./split.js";

type Payload = Record<string, unknown> & { text?: unknown; parse_mode?: unknown; chat_id?: unknown };

export function splitLongMessages(): Transformer {
  return async (prev, method, payload, signal) => {
    const p = payload as unknown as Payload;
    if ((method !== "sendMessage" && method !== "editMessageText") || typeof p.text !== "string" || p.text.length <= TELEGRAM_TEXT_LIMIT) {
      return prev(method, payload, signal);
    }
    const parts = splitHtml(p.text, MESSAGE_LIMIT, p.parse_mode === "HTML");
    const call = (m: string, body: Payload) => prev(m as typeof method, body as unknown as typeof payload, signal);
    if (method === "editMessageText") {
      // The edited message keeps its buttons; the rest of the text follows it as new messages.
      const first = await call(method, { ...p, text: parts[0] });
      if (!first.ok || p.chat_id === undefined) return first;
      for (const text of parts.slice(1)) {
        const { reply_markup: _markup, message_id: _id, inline_message_id: _inline, ...rest } = p;
        const sent = await call("sendMessage", { ...rest, text });
        if (!sent.ok) return sent as unknown as typeof first;
      }
      return first;
    }
    let last: Awaited<ReturnType<typeof prev>> | undefined;
    for (const [i, text] of parts.entries()) {
      const body: Payload = { ...p, text };
      if (i < parts.length - 1) delete body.reply_markup;
      if (i > 0) delete body.reply_parameters;
      last = await call(method, body);
      if (!last.ok) return last;
    }
    return last!;
  };
}

/** Options of a message that is plain text, not HTML (someone's own words sent back to them). */
export const PLAIN_TEXT = { parse_mode: undefined };

/**
 * The bot writes HTML (every view escapes what people typed): messages and edits are sent in
 * HTML parse mode unless they say otherwise (PLAIN_TEXT) or carry their own entities. Installed
 * outside splitLongMessages, which splits HTML without breaking a tag. Hand-written: the
 * parse-mode plugin (2.x) no longer has a default-parse-mode transformer.
 */
export function htmlByDefault(): Transformer {
  return (prev, method, payload, signal) => {
    const p = payload as unknown as Payload;
    if ((method === "sendMessage" || method === "editMessageText") && !("parse_mode" in p) && !("entities" in p)) {
      return prev(method, { ...p, parse_mode: "HTML" } as unknown as typeof payload, signal);
    }
    return prev(method, payload, signal);
  };
}
