/**
 * Typed input outside conversations (see pending.ts), and the leader's side of the review
 * thread: answering a question, revising a returned statement.
 */
import { PLAIN_TEXT } from "../platform/telegram/limits.js";
import { Composer } from "grammy";
import { enterHarvest } from "../harvest/feature.js";
import { loadOwnDraft, saveDraft } from "../harvest/drafts.js";
import { LIMITS } from "../harvest/steps.js";
import type { BotContext } from "../shared/context.js";
import { keyboard } from "../platform/telegram/keyboard.js";
import { langOf, notify } from "../platform/telegram/notify.js";
import { translator } from "../platform/i18n/index.js";
import { addOption, DimensionError } from "../classification/service.js";
import { afterAct, loadForReview, now, refuse, showCard } from "./feature.js";
import { showDimension } from "../classification/feature.js";
import { snippet } from "./format.js";
import { addSource } from "../substantiation/coordinator.js";
import { suggestStep } from "../substantiation/suggestions.js";
import { readPending, setPending, type Pending } from "./pending.js";
import { act, answerQuestion, editPart, fileIcon, fieldLimit, isEditableField, type AnswerFile } from "./service.js";
import type { ThreadMessage } from "../generated/prisma/client.js";
import { enqueue, FILE_FIELD, sendMethodOf } from "../platform/telegram/outbox.js";
import { inHarvest } from "../harvest/active.js";
import { hasVisibleText } from "../shared/text.js";
import { eraParams } from "../harvest/format.js";
import { answerFileOf } from "./files.js";

function limitOf(p: Pending): number {
  if (p.kind === "edit") return isEditableField(p.field) ? fieldLimit(p.field) : LIMITS.short;
  if (p.kind === "option" || p.kind === "source" || p.kind === "suggest") return LIMITS.short;
  return LIMITS.long;
}

/**
 * The author's answer to one question, typed or sent (voice, photo, document): into the thread;
 * the coordinator who asked is told, and gets the files themselves.
 */
export async function deliverAnswer(ctx: BotContext, questionId: number, content: { text?: string; files?: AnswerFile[] }) {
  const { prisma } = ctx.deps;
  const res = await answerQuestion(prisma, { questionId, userId: ctx.user!.id, text: content.text, files: content.files, now: now(ctx) });
  if (res.status === "not_yours") await refuse(ctx, { question_id: questionId });
  if (res.status !== "ok") return res.status;
  ctx.log.info({ outcome_id: res.outcome.id, question_id: questionId }, "question answered");
  await ctx.reply(ctx.t("author.answer_sent", { id: res.outcome.id }));
  await tellAsker(ctx, res.question, res.outcome.id, res.backInQueue ? "review.answer_received_queue" : "review.answer_received", content);
  return res.status;
}

/** Tells the coordinator who asked about an answer (or an addition to one), with its files. */
export async function tellAsker(ctx: BotContext, question: ThreadMessage, outcomeId: number, key: string, content: { text?: string; files?: AnswerFile[] }) {
  const { prisma } = ctx.deps;
  const asker = await prisma.user.findUniqueOrThrow({ where: { id: question.authorId } });
  const files = content.files ?? [];
  const shown = content.text ?? files.map((f) => fileIcon(f.kind)).join(" ");
  await notify(prisma, asker, key, { id: outcomeId, author: ctx.user!.displayName, question: snippet(question.text, 200), text: shown }, (t) =>
    keyboard([{ text: t("review.open_button", { id: outcomeId }), data: `rv:o:${outcomeId}` }]),
  );
  // Spoken or shown answers: the coordinator gets the voice note, photo or file itself.
  for (const f of files) {
    const method = sendMethodOf(f.kind);
    await enqueue(prisma, {
      chatId: asker.telegramId,
      method,
      payload: {
        [FILE_FIELD[method]!]: f.fileId,
        caption: `${translator(langOf(asker))("format.ref", { id: outcomeId })} · ${ctx.user!.displayName}`.slice(0, 1000),
      },
      kind: "notification",
    });
  }
}

async function handleText(ctx: BotContext, p: Pending, text: string) {
  const { prisma } = ctx.deps;
  switch (p.kind) {
    case "ask":
    case "return":
    case "reject": {
      if (!(await loadForReview(ctx, p.outcomeId))) return setPending(ctx, null);
      const res = await act(prisma, { outcomeId: p.outcomeId, version: p.version, actorId: ctx.user!.id, action: p.kind, text, now: now(ctx) });
      await setPending(ctx, null);
      return afterAct(ctx, res, p.kind, p.version, text);
    }
    case "edit": {
      if (!isEditableField(p.field) || !(await loadForReview(ctx, p.outcomeId))) return setPending(ctx, null);
      const res = await editPart(prisma, { outcomeId: p.outcomeId, version: p.version, actorId: ctx.user!.id, field: p.field, text, now: now(ctx) });
      if (!res.ok && res.reason === "invalid") {
        // Still waiting for the text: what was wrong, in words.
        return ctx.reply(ctx.t(res.error, { text, ...(res.era ? eraParams(res.era, ctx.lang) : {}) }));
      }
      await setPending(ctx, null);
      if (!res.ok) {
        await ctx.reply(ctx.t("review.changed", { id: p.outcomeId, status: ctx.t(`status.${res.outcome?.status ?? "rejected"}`) }));
        await ctx.reply(ctx.t("review.not_applied_text", { text }));
        return showCard(ctx, p.outcomeId);
      }
      ctx.log.info({ outcome_id: p.outcomeId, field: p.field }, "coordinator edit");
      await ctx.reply(ctx.t("review.edited", { id: p.outcomeId, field: ctx.t(`history.fields.${p.field}`) }));
      return showCard(ctx, p.outcomeId);
    }
    case "answer": {
      await setPending(ctx, null);
      const status = await deliverAnswer(ctx, p.questionId, { text });
      if (status === "already_answered") await ctx.reply(ctx.t("author.already_answered"));
      return;
    }
    case "answer_pick":
      return; // handled by the unprompted-answer feature (review/answers.ts)
    case "source":
      return addSource(ctx, p, text);
    case "suggest":
      return suggestStep(ctx, p, text);
    case "sub_comment":
    case "sub_decline":
      return; // handled before the access gate, by the substantiation feature
    case "option": {
      const [en, km] = text.split("|").map((s) => s.trim());
      if (!en) return ctx.reply(ctx.t("dimensions.add_format"));
      try {
        await addOption(prisma, { dimension: p.dimensionId, labels: km ? { en, km } : { en } });
      } catch (e) {
        if (e instanceof DimensionError) return ctx.reply(ctx.t("dimensions.add_failed", { reason: e.message }));
        throw e;
      }
      await setPending(ctx, null);
      ctx.log.info({ dimension_id: p.dimensionId }, "classification option added");
      await ctx.reply(ctx.t("dimensions.added", { label: en }));
      return showDimension(ctx, p.dimensionId, false);
    }
  }
}

export interface TypedInput {
  text?: string;
  /** A voice note, where `voice` allows one. */
  fileId?: string;
  /** Any file (voice, photo, document…), where `files` allows one. */
  file?: AnswerFile;
}

/**
 * Waits for the typed text a pending input asks for: commands (except /help) stop waiting,
 * /cancel only stops; forwards, wrong types, empty and over-long texts are explained and the
 * bot keeps waiting. `accept` picks the kinds this composer handles; `voice` the kinds that
 * also take a voice note.
 */
export function typedInputComposer(
  accept: (p: Pending) => boolean,
  voice: Array<Pending["kind"]>,
  handle: (ctx: BotContext, p: Pending, input: TypedInput) => Promise<unknown>,
  files: Array<Pending["kind"]> = [],
): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.on("message", async (ctx, next) => {
    const p = readPending(ctx.user?.pendingInput);
    if (!p || !accept(p)) return next();
    const m = ctx.message;
    if (m.text?.startsWith("/")) {
      if (/^\/help(@\w+)?(\s|$)/.test(m.text)) return next();
      await setPending(ctx, null);
      await ctx.reply(ctx.t("input.dropped"));
      if (/^\/cancel(@\w+)?(\s|$)/.test(m.text)) return;
      return next();
    }
    if (m.forward_origin) return ctx.reply(ctx.t("input.forwarded"));
    const spoken = voice.includes(p.kind);
    const file = files.includes(p.kind) ? answerFileOf(m) : undefined;
    if (file) return handle(ctx, p, { file, text: m.caption?.trim() || undefined });
    if (spoken && m.voice) return handle(ctx, p, { fileId: m.voice.file_id });
    if (m.text === undefined) return ctx.reply(ctx.t(files.includes(p.kind) ? "answers.wrong_type" : spoken ? "input.text_or_voice" : "input.text_only"));
    const text = m.text.trim();
    if (!hasVisibleText(text)) return ctx.reply(ctx.t("input.empty"));
    const limit = limitOf(p);
    if (text.length > limit) {
      await ctx.reply(ctx.t("errors.too_long", { limit, length: text.length }));
      return ctx.reply(text, PLAIN_TEXT); // back to the person, to shorten and resend
    }
    await handle(ctx, p, { text });
  });
  return c;
}

/** Runs before the harvest conversation, so an answer typed during a harvest reaches its question. */
export function pendingInputFeature(): Composer<BotContext> {
  return typedInputComposer(
    (p) => !p.kind.startsWith("sub_") && p.kind !== "answer_pick",
    [],
    async (ctx, p, input) => {
      if (p.kind !== "answer" || !input.file) return handleText(ctx, p, input.text!);
      await setPending(ctx, null);
      const status = await deliverAnswer(ctx, p.questionId, { text: input.text, files: [input.file] });
      if (status === "already_answered") await ctx.reply(ctx.t("author.already_answered"));
    },
    ["answer"],
  );
}

/** The leader's buttons: answer a question, revise a returned statement. */
export function authorFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.callbackQuery(/^qa:(\d+)$/, async (ctx) => {
    const questionId = Number(ctx.match[1]);
    const q = await ctx.deps.prisma.threadMessage.findFirst({ where: { id: questionId, kind: "question" }, include: { outcome: true } });
    if (!q || q.outcome.authorId !== ctx.user!.id) return refuse(ctx, { question_id: questionId });
    if (q.answeredAt) return ctx.answerCallbackQuery({ text: ctx.t("author.already_answered") });
    // What they sent while choosing a question (see answers.ts) answers this one.
    const held = readPending(ctx.user?.pendingInput);
    if (held?.kind === "answer_pick") {
      await ctx.answerCallbackQuery();
      await setPending(ctx, null);
      await deliverAnswer(ctx, questionId, { text: held.text, files: held.files });
      return;
    }
    await setPending(ctx, { kind: "answer", outcomeId: q.outcomeId, questionId });
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("author.answer_prompt", { id: q.outcomeId, question: q.text ?? "" }));
  });

  c.callbackQuery(/^rev:(\d+)$/, async (ctx) => {
    const id = Number(ctx.match[1]);
    const { prisma } = ctx.deps;
    const own = await prisma.outcome.findFirst({ where: { id, authorId: ctx.user!.id, discardedAt: null } });
    if (!own) return refuse(ctx, { outcome_id: id });
    await ctx.answerCallbackQuery();
    const d = await loadOwnDraft(ctx.deps.sql!, id, ctx.user!.id);
    if (d?.status !== "returned") return ctx.reply(ctx.t("author.not_returned", { id, status: ctx.t(`status.${own.status}`) }));
    if (await inHarvest(ctx)) return ctx.reply(ctx.t("harvest.already_active"));
    // Every part can change again; the summary comes first, with "Edit a part".
    if (d.step !== "review") await saveDraft(ctx.deps.sql!, id, ctx.user!.id, { step: "review", reviewReached: true });
    await ctx.reply(ctx.t("author.revising", { id }));
    await enterHarvest(ctx, id);
  });

  return c;
}
