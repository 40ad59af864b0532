/**
 * Typed input the bot waits for outside a conversation (shared/pending.ts): one route per kind
 * of pending input, each feature owning its own (review: questions, notes, reasons, edits and
 * answers; classification: a new option; substantiation: a source, a suggestion, a comment).
 * A grammY router keyed on the pending kind picks the route; what every route has in common is
 * checked once, here: commands (except /help) stop waiting, /cancel only stops; forwards, wrong
 * types, empty and over-long texts are explained and the bot keeps waiting.
 */
import { Router } from "@grammyjs/router";
import type { Message } from "grammy/types";
import { PLAIN_TEXT } from "../platform/telegram/limits.js";
import type { BotContext } from "./context.js";
import { type AnswerFile, type Pending, readPending, setPending } from "./pending.js";
import { hasVisibleText } from "./text.js";

export interface TypedInput {
  text?: string;
  /** A voice note, where the route takes one. */
  fileId?: string;
  /** Any file (voice, photo, document…), where the route takes files. */
  file?: AnswerFile;
}

/** How one kind of pending input is answered. */
export interface InputRoute<K extends Pending["kind"] = Pending["kind"]> {
  /** The longest text taken (for this pending input). */
  limit: number | ((p: Extract<Pending, { kind: K }>) => number);
  /** A voice note answers too. */
  voice?: boolean;
  /** Any file answers (with its caption as text). */
  files?: boolean;
  handle(ctx: BotContext, p: Extract<Pending, { kind: K }>, input: TypedInput): Promise<unknown>;
}

export type InputRoutes = { [K in Pending["kind"]]?: InputRoute<K> };

/** A file someone sent, as an answer can carry it (a voice note, photo, document, audio or video). */
export function answerFileOf(m: Message): AnswerFile | undefined {
  if (m.voice) return { kind: "voice", fileId: m.voice.file_id };
  if (m.photo?.length) return { kind: "photo", fileId: m.photo[m.photo.length - 1]!.file_id };
  if (m.document) return { kind: "document", fileId: m.document.file_id };
  if (m.audio) return { kind: "audio", fileId: m.audio.file_id };
  if (m.video) return { kind: "video", fileId: m.video.file_id };
  return undefined;
}

function checked<K extends Pending["kind"]>(route: InputRoute<K>) {
  return async (ctx: BotContext, next: () => Promise<void>) => {
    const p = readPending(ctx.user?.pendingInput) as Extract<Pending, { kind: K }>;
    const m = ctx.message!;
    if (m.text?.startsWith("/")) {
      if (/^\/help(@\w+)?(\s|$)/.test(m.text)) return next();
      await setPending(ctx, null);
      await ctx.reply(ctx.t("input.dropped"));
      if (/^\/cancel(@\w+)?(\s|$)/.test(m.text)) return;
      return next();
    }
    if (m.forward_origin) return void (await ctx.reply(ctx.t("input.forwarded")));
    const file = route.files ? answerFileOf(m) : undefined;
    if (file) return void (await route.handle(ctx, p, { file, text: m.caption?.trim() || undefined }));
    if (route.voice && m.voice) return void (await route.handle(ctx, p, { fileId: m.voice.file_id }));
    if (m.text === undefined) {
      return void (await ctx.reply(ctx.t(route.files ? "answers.wrong_type" : route.voice ? "input.text_or_voice" : "input.text_only")));
    }
    const text = m.text.trim();
    if (!hasVisibleText(text)) return void (await ctx.reply(ctx.t("input.empty")));
    const limit = typeof route.limit === "function" ? route.limit(p) : route.limit;
    if (text.length > limit) {
      await ctx.reply(ctx.t("errors.too_long", { limit, length: text.length }));
      return void (await ctx.reply(text, PLAIN_TEXT)); // back to the person, to shorten and resend
    }
    await route.handle(ctx, p, { text });
  };
}

/** The router of the given routes: a message while one of their kinds is pending goes to it; anything else goes on. */
export function typedInput(routes: InputRoutes): Router<BotContext> {
  const router = new Router<BotContext>((ctx) => (ctx.message ? readPending(ctx.user?.pendingInput)?.kind : undefined));
  for (const [kind, route] of Object.entries(routes)) router.route(kind, checked(route as InputRoute));
  return router;
}
