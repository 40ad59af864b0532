/**
 * Answers typed under a coordinator's question, without pressing its Answer button: that is how
 * people use a chat. With one open question, whatever the author sends (text, voice, photo,
 * document; outside a draft they are writing) is its answer. With several, the bot keeps what
 * they sent and asks which question it answers. Shortly after an answer, more of the same is
 * added to it. Nothing they send is dropped.
 */
import { PLAIN_TEXT } from "../platform/telegram/limits.js";
import { Composer } from "grammy";
import type { Message } from "grammy/types";
import { LIMITS } from "../harvest/steps.js";
import { hasVisibleText } from "../shared/text.js";
import type { BotContext } from "../shared/context.js";
import { keyboard } from "../platform/telegram/keyboard.js";
import { now } from "./feature.js";
import { snippet } from "./format.js";
import { deliverAnswer, tellAsker } from "./input.js";
import { readPending, setPending } from "./pending.js";
import { ADD_TO_ANSWER_MS, addToAnswer, openQuestions, type AnswerFile } from "./service.js";
import { answerFileOf } from "./files.js";

/** The answer in a message: its text (or caption) and its file; an error key when it is none. */
function contentOf(m: Message): { text?: string; files: AnswerFile[] } | { error: string; params?: Record<string, unknown> } {
  const file = answerFileOf(m);
  const text = (m.text ?? m.caption)?.trim();
  if (text !== undefined && text.length > LIMITS.long) return { error: "errors.too_long", params: { limit: LIMITS.long, length: text.length } };
  const visible = text !== undefined && hasVisibleText(text) ? text : undefined;
  if (!file && visible === undefined) return { error: m.text !== undefined || m.caption !== undefined ? "input.empty" : "answers.wrong_type" };
  return { text: visible, files: file ? [file] : [] };
}

async function askWhich(ctx: BotContext, userId: number) {
  const questions = await openQuestions(ctx.deps.prisma, userId);
  await ctx.reply(ctx.t("answers.which"), {
    reply_markup: keyboard(
      // A button's label is plain text, not HTML: the question goes in unescaped ({{- question}}).
      questions.map((q) => ({ text: ctx.t("answers.which_button", { id: q.outcomeId, question: snippet(q.text, 40) }), data: `qp:${q.id}` })),
    ),
  });
}

/** /cancel while the bot keeps a message for a question yet to choose: what was kept is let go. */
export function answerPickCancelFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command("cancel", async (ctx, next) => {
    if (readPending(ctx.user?.pendingInput)?.kind !== "answer_pick") return next();
    await setPending(ctx, null);
    await ctx.reply(ctx.t("answers.dropped"));
  });
  return c;
}

export function unpromptedAnswerFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.on("message", async (ctx, next) => {
    const m = ctx.message;
    if (!ctx.user || m.text?.startsWith("/")) return next();
    const held = readPending(ctx.user.pendingInput);
    const picking = held?.kind === "answer_pick" ? held : undefined;
    const questions = picking ? [] : await openQuestions(ctx.deps.prisma, ctx.user.id);
    if (!picking && questions.length === 0 && !(await recentlyAnswered(ctx))) return next();
    if (m.forward_origin) return ctx.reply(ctx.t("input.forwarded"));
    const content = contentOf(m);
    if ("error" in content) {
      await ctx.reply(ctx.t(content.error, content.params));
      if (content.error === "errors.too_long") await ctx.reply(m.text ?? m.caption ?? "", PLAIN_TEXT); // back, to shorten
      return;
    }
    if (picking) {
      // More while choosing: kept with what was sent before.
      const text = [picking.text, content.text].filter(Boolean).join("\n") || undefined;
      await setPending(ctx, { kind: "answer_pick", text, files: [...picking.files, ...content.files] });
      return askWhich(ctx, ctx.user.id);
    }
    if (questions.length === 1) return deliverAnswer(ctx, questions[0]!.id, content);
    if (questions.length > 1) {
      await setPending(ctx, { kind: "answer_pick", text: content.text, files: content.files });
      return askWhich(ctx, ctx.user.id);
    }
    if (!(await addTo(ctx, content))) return next();
  });

  c.callbackQuery(/^qp:(\d+)$/, async (ctx) => {
    const held = readPending(ctx.user?.pendingInput);
    if (held?.kind !== "answer_pick") return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    const questionId = Number(ctx.match[1]);
    const content = { text: held.text, files: held.files };
    // deliverAnswer checks that the question is the person's own and still open.
    await setPending(ctx, null);
    const status = await deliverAnswer(ctx, questionId, content);
    if (status !== "already_answered") return;
    // Answered meanwhile (from another message): what they sent is added to that answer.
    if (!(await addTo(ctx, content, questionId))) await ctx.reply(ctx.t("author.already_answered"));
  });

  return c;
}

/** Adds what was sent to a recent answer (or to the given question's); false when there is none. */
async function addTo(ctx: BotContext, content: { text?: string; files: AnswerFile[] }, questionId?: number): Promise<boolean> {
  const added = await addToAnswer(ctx.deps.prisma, { userId: ctx.user!.id, questionId, ...content, now: now(ctx) });
  if (!added) return false;
  ctx.log.info({ outcome_id: added.outcome.id, question_id: added.question.id }, "added to an answer");
  await ctx.reply(ctx.t("answers.added", { id: added.outcome.id }));
  await tellAsker(ctx, added.question, added.outcome.id, "answers.added_received", content);
  return true;
}

async function recentlyAnswered(ctx: BotContext): Promise<boolean> {
  const since = new Date(now(ctx).getTime() - ADD_TO_ANSWER_MS);
  return (await ctx.deps.prisma.threadMessage.count({ where: { authorId: ctx.user!.id, kind: "answer", createdAt: { gte: since } } })) > 0;
}
