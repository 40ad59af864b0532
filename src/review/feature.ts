/**
 * Review in the chat. Coordinators: /review (the queue), a statement's card with its evidence,
 * thread and open coaching points, the actions on it, and the texts they type for them
 * (question, note, reason, edit). Authors: answering a question (with its button, or just by
 * sending something), revising a returned statement. Every press re-checks the person's scope
 * and the statement's version in the service; callback data is never trusted.
 */
import { Composer } from "grammy";
import { classificationSummary } from "../classification/views.js";
import { chosenOptions, loadDimensions } from "../classification/service.js";
import { gapsIn, runChecks } from "../harvest/coaching.js";
import { loadOwnDraft, saveDraft, toView } from "../harvest/service.js";
import { enterHarvest } from "../harvest/feature.js";
import { leadLine } from "../harvest/lead.js";
import { eraParams, renderStatement } from "../harvest/views.js";
import { inHarvest } from "../harvest/active.js";
import { LIMITS } from "../harvest/steps.js";
import { khmerToAsciiDigits } from "../platform/i18n/digits.js";
import { isLang } from "../platform/i18n/index.js";
import { onButton } from "../platform/telegram/callbacks.js";
import { PLAIN_TEXT } from "../platform/telegram/limits.js";
import { packMessages } from "../platform/telegram/split.js";
import { inScope, organisationsIn } from "../shared/access.js";
import { actorOf, now, refuse, scopeOf } from "../shared/chat.js";
import type { BotContext } from "../shared/context.js";
import { readPending, setPending } from "../shared/pending.js";
import { hasVisibleText } from "../shared/text.js";
import type { InputRoutes } from "../shared/typed-input.js";
import { answerFileOf } from "../shared/typed-input.js";
import { authorName, personName } from "../shared/users.js";
import { progressMap, substantiationOf } from "../substantiation/service.js";
import { substantiationSection, substantiationTags } from "../substantiation/views.js";
import {
  answerQuestionButton,
  editField,
  filterOrganisation,
  filterStatus,
  openCard,
  pickQuestion,
  queuePage,
  reviewAction,
  reviseStatement,
  linkChoice,
  linkStart,
  contributorToggle,
  contributorsOf,
  questionToggle,
  questionsOf,
} from "./callbacks.js";
import {
  act,
  type ActResult,
  ADD_TO_ANSWER_MS,
  type AnswerFile,
  addToAnswer,
  answerQuestion,
  type CoordinatorAction,
  EDITABLE_FIELDS,
  editPart,
  fieldLimit,
  isEditableField,
  isListStatus,
  LIST_STATUSES,
  latestActorOf,
  openQuestions,
  ownQuestion,
  ownStatement,
  recentlyAnswered,
  reviewQueue,
  statementForReview,
  tellAsker,
  tellAuthor,
  threadOf,
} from "./service.js";
import { questionChoices, setQuestionTag } from "../harvest/questions.js";
import { contributorChoices, setContributor } from "./joint.js";
import { linksOf, linkStatements } from "./links.js";
import { nextStatus } from "./status.js";
import {
  actionDone,
  cardMeta,
  findingsSection,
  editWhich,
  pickQueueOrganisation,
  pickQueueStatus,
  queueView,
  renderThread,
  type View,
  whatNext,
  whichQuestion,
  linkChoices,
  linksSection,
  contributorsView,
  jointLine,
  questionsView,
} from "./views.js";

export { ADD_TO_ANSWER_MS };

const show = (ctx: BotContext, v: View) => ctx.reply(v.text, { reply_markup: v.keyboard });

/** A statement in the coordinator's scope, or a logged refusal (undefined). */
export async function loadForReview(ctx: BotContext, id: number) {
  const o = await statementForReview(ctx.deps.prisma, actorOf(ctx), id);
  if (!o) await refuse(ctx, { outcome_id: id });
  return o;
}

async function showQueue(ctx: BotContext, org: number, status: (typeof LIST_STATUSES)[number], page: number, edit: boolean) {
  const q = await reviewQueue(ctx.deps.prisma, actorOf(ctx), { org, status, page });
  if (q === "not_allowed") return refuse(ctx, org ? { organisation_id: org } : { command: "review" });
  const tags = substantiationTags(
    ctx.t,
    await progressMap(
      ctx.deps.prisma,
      q.rows.map((o) => o.id),
    ),
  );
  const view = queueView(ctx.t, ctx.lang, ctx.config.timeZone, now(ctx), { ...q, tags });
  const opts = { reply_markup: view.keyboard };
  if (edit) await ctx.editMessageText(view.text, opts).catch(() => ctx.reply(view.text, opts));
  else await ctx.reply(view.text, opts);
}

/** Sends a file again by its Telegram file id, as the kind it was received. */
async function resend(ctx: BotContext, e: { kind: string; fileId: string; caption: string | null }, caption: string) {
  const chat = ctx.chat!.id;
  const full = e.caption ? `${caption}\n${e.caption}` : caption;
  const opts = { caption: full.slice(0, 1000) };
  switch (e.kind) {
    case "photo":
      return ctx.api.sendPhoto(chat, e.fileId, opts);
    case "voice":
      return ctx.api.sendVoice(chat, e.fileId, opts);
    case "audio":
      return ctx.api.sendAudio(chat, e.fileId, opts);
    case "video":
      return ctx.api.sendVideo(chat, e.fileId, opts);
    default:
      return ctx.api.sendDocument(chat, e.fileId, opts);
  }
}

/** The whole statement for a coordinator: parts, author, waiting time, open coaching points, thread, evidence, actions. */
export async function showCard(ctx: BotContext, id: number) {
  const o = await loadForReview(ctx, id);
  if (!o) return;
  const { prisma } = ctx.deps;
  const t = ctx.t;
  const view = toView(o);
  const sections = renderStatement(view, t, ctx.lang);
  sections.push(cardMeta(t, ctx.lang, ctx.config.timeZone, now(ctx), o));
  const joint = jointLine(
    t,
    o.contributors.map((c) => c.organisation.name),
  );
  if (joint) sections.push(joint);
  const checks = runChecks(view, { organisationName: view.organisationName, voiceParts: new Set(view.voiceParts) });
  const lead = leadLine(t, gapsIn(checks));
  if (lead) sections.push(lead);
  const findings = findingsSection(t, checks);
  if (findings) sections.push(findings);
  const thread = await threadOf(prisma, id);
  const rendered = renderThread(thread, t, ctx.config.timeZone, ctx.lang);
  if (rendered) sections.push(rendered);
  const chosen = await chosenOptions(prisma, id);
  const classes = chosen.size ? classificationSummary(t, ctx.lang, await loadDimensions(prisma), chosen) : undefined;
  if (classes) sections.push(classes);
  const substantiation = substantiationSection(t, await substantiationOf(prisma, id, true));
  if (substantiation) sections.push(substantiation);
  const links = linksSection(t, await linksOf(prisma, id));
  if (links) sections.push(links);
  for (const m of packMessages(sections)) await ctx.reply(m);
  for (const e of o.evidence) {
    const part = e.part === "evidence" ? t("format.evidence") : t(`parts.${e.part}`);
    await resend(ctx, e, t("review.evidence_caption", { id, part })).catch((err) => {
      ctx.log.warn({ err: String(err), evidence_id: e.id }, "evidence could not be re-sent");
      return ctx.reply(t("review.evidence_missing", { part }));
    });
  }
  for (const m of thread.filter((x) => x.fileId)) {
    const caption = t("review.file_answer_caption", { id, name: personName(m.author, t) });
    await resend(ctx, { kind: m.fileKind ?? "voice", fileId: m.fileId!, caption: null }, caption).catch((err) => {
      ctx.log.warn({ err: String(err), thread_message_id: m.id }, "file of an answer could not be re-sent");
    });
  }
  await show(ctx, whatNext(t, o));
}

/** Replies to a coordinator after an action (or its refusal); `typed` is echoed back when it could not be applied. */
async function afterAct(ctx: BotContext, res: ActResult, action: CoordinatorAction, version: number, typed?: string) {
  const t = ctx.t;
  if (!res.ok) {
    if (res.reason === "gone" || !res.outcome) return ctx.reply(t("review.gone"));
    const o = res.outcome;
    const target = nextStatus(o.status, action);
    // The same person pressing the same button twice: the first press applied.
    if (
      res.reason === "changed" &&
      o.version === version + 1 &&
      !typed &&
      target === undefined &&
      (await latestActorOf(ctx.deps.prisma, o.id)) === ctx.user!.id
    ) {
      if (ctx.callbackQuery) return ctx.answerCallbackQuery({ text: t("errors.already_done") });
      return;
    }
    ctx.log.info({ outcome_id: o.id, action, reason: res.reason }, "review action not applied");
    await ctx.reply(t(res.reason === "changed" ? "review.changed" : "review.not_now", { id: o.id, status: t(`status.${o.status}`) }));
    if (typed) await ctx.reply(t("review.not_applied_text", { text: typed }));
    return showCard(ctx, o.id);
  }
  ctx.log.info({ outcome_id: res.outcome.id, action, from: res.from, to: res.outcome.status }, "review action");
  await tellAuthor(ctx.deps.prisma, res, action);
  await show(ctx, actionDone(t, action, res.outcome.id));
}

/** The card again after a press on a version that is no longer the statement's. */
async function changedMeanwhile(ctx: BotContext, o: { id: number; status: string }) {
  await ctx.reply(ctx.t("review.changed", { id: o.id, status: ctx.t(`status.${o.status}`) }));
  return showCard(ctx, o.id);
}

export function reviewFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("review", (ctx) => showQueue(ctx, 0, "submitted", 0, false));

  onButton(c, queuePage, async (ctx, { org, status, page }) => {
    if (!isListStatus(status)) return refuse(ctx, { data: ctx.callbackQuery.data });
    await showQueue(ctx, org, status, page, true);
    await ctx.answerCallbackQuery().catch(() => {});
  });

  onButton(c, filterOrganisation, async (ctx, { status }) => {
    const scope = await scopeOf(ctx);
    if (!scope || !isListStatus(status)) return refuse(ctx, { data: ctx.callbackQuery.data });
    const view = pickQueueOrganisation(ctx.t, status, await organisationsIn(ctx.deps.prisma, scope));
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(view.text, { reply_markup: view.keyboard });
  });

  onButton(c, filterStatus, async (ctx, { org }) => {
    const scope = await scopeOf(ctx);
    if (!scope || (org && !inScope(scope, org))) return refuse(ctx, { organisation_id: org });
    await ctx.answerCallbackQuery();
    const view = pickQueueStatus(ctx.t, org, LIST_STATUSES);
    await ctx.editMessageText(view.text, { reply_markup: view.keyboard });
  });

  onButton(c, openCard, async (ctx, { id }) => {
    const o = await loadForReview(ctx, id);
    if (!o) return;
    await ctx.answerCallbackQuery();
    await showCard(ctx, o.id);
  });

  // Lists of switches on a statement: its contributing organisations, its harvesting questions.
  // Each opens from the card and redraws itself in place when a switch is pressed.
  const switches = <C>(spec: {
    load: (ctx: BotContext, id: number) => Promise<C | undefined>;
    empty: (c: C) => boolean;
    none: string;
    view: (ctx: BotContext, id: number, c: C) => View;
  }) => ({
    async open(ctx: BotContext, { id }: { id: number }) {
      const choices = await spec.load(ctx, id);
      if (!choices) return refuse(ctx, { outcome_id: id });
      await ctx.answerCallbackQuery();
      if (spec.empty(choices)) return ctx.reply(ctx.t(spec.none));
      await show(ctx, spec.view(ctx, id, choices));
    },
    async after(ctx: BotContext, id: number, status: string) {
      await ctx.answerCallbackQuery(status === "unchanged" ? { text: ctx.t("errors.already_done") } : undefined);
      const choices = await spec.load(ctx, id);
      if (choices) await ctx.editMessageReplyMarkup({ reply_markup: spec.view(ctx, id, choices).keyboard }).catch(() => {});
    },
  });
  const contributors = switches({
    load: (ctx, id) => contributorChoices(ctx.deps.prisma, actorOf(ctx), id),
    empty: (c) => c.orgs.length === 0,
    none: "review.joint_none",
    view: (ctx, id, c) => contributorsView(ctx.t, id, c.orgs, c.chosen),
  });
  onButton(c, contributorsOf, contributors.open);
  onButton(c, contributorToggle, async (ctx, { id, org, on }) => {
    const res = await setContributor(ctx.deps.prisma, actorOf(ctx), { outcomeId: id, organisationId: org, on });
    if (res.status === "not_allowed") return refuse(ctx, { outcome_id: id, organisation_id: org });
    if (res.status === "lead") return ctx.answerCallbackQuery({ text: ctx.t("review.joint_lead"), show_alert: true });
    if (res.status === "changed") ctx.log.info({ outcome_id: id, organisation_id: org, on }, "contributing organisation switched");
    await contributors.after(ctx, id, res.status);
  });
  const questions = switches({
    load: (ctx, id) => questionChoices(ctx.deps.prisma, actorOf(ctx), id),
    empty: (c) => c.questions.length === 0,
    none: "review.questions_none",
    view: (ctx, id, c) => questionsView(ctx.t, id, c.questions, c.chosen),
  });
  onButton(c, questionsOf, questions.open);
  onButton(c, questionToggle, async (ctx, { id, question, on }) => {
    const res = await setQuestionTag(ctx.deps.prisma, actorOf(ctx), { outcomeId: id, questionId: question, on });
    if (res === "not_allowed") return refuse(ctx, { outcome_id: id, question_id: question });
    await questions.after(ctx, id, res);
  });
  onButton(c, linkStart, async (ctx, { id }) => {
    const o = await loadForReview(ctx, id);
    if (!o) return;
    await ctx.answerCallbackQuery();
    await setPending(ctx, { kind: "link", outcomeId: o.id });
    await ctx.reply(ctx.t("review.link_prompt", { id: o.id }));
  });
  onButton(c, linkChoice, async (ctx, { id, other, choice }) => {
    const res = await linkStatements(ctx.deps.prisma, actorOf(ctx), { id, other, choice });
    if (res.status === "not_allowed") return refuse(ctx, { outcome_id: id, other });
    if (res.status !== "linked") return ctx.answerCallbackQuery({ text: ctx.t(`review.link_refused.${res.status}`, { id, other }), show_alert: true });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    ctx.log.info({ outcome_id: id, other, choice }, "statements linked");
    await ctx.reply(ctx.t("review.linked", { id, other }));
  });

  onButton(c, reviewAction, async (ctx, { id, version, action }) => {
    if (!["accept", "ask", "return", "reject", "edit"].includes(action)) return refuse(ctx, { data: ctx.callbackQuery.data });
    const o = await loadForReview(ctx, id);
    if (!o) return;
    if (action === "accept") {
      const res = await act(ctx.deps.prisma, { outcomeId: id, version, actorId: ctx.user!.id, action, now: now(ctx) });
      if (res.ok) await ctx.answerCallbackQuery();
      await ctx.editMessageReplyMarkup().catch(() => {});
      await afterAct(ctx, res, action, version);
      if (!res.ok) await ctx.answerCallbackQuery().catch(() => {});
      return;
    }
    // Asking or returning needs an author who can answer: an imported statement may have none.
    if (!o.author && (action === "ask" || action === "return"))
      return ctx.answerCallbackQuery({ text: ctx.t("review.no_author", { name: authorName(o, ctx.t) }), show_alert: true });
    await ctx.answerCallbackQuery();
    const allowed = nextStatus(o.status, action === "edit" ? "edit" : (action as CoordinatorAction));
    if (o.version !== version || !allowed) return changedMeanwhile(ctx, o);
    if (action === "edit") return show(ctx, editWhich(ctx.t, id, version, EDITABLE_FIELDS));
    await setPending(ctx, { kind: action as "ask" | "return" | "reject", outcomeId: id, version });
    const language = isLang(o.author?.language) ? ctx.t(`languages.${o.author.language}`) : ctx.t("languages.en");
    await ctx.reply(ctx.t(`review.prompt.${action}`, { id, author: authorName(o, ctx.t), language }));
  });

  onButton(c, editField, async (ctx, { id, version, field }) => {
    if (!isEditableField(field)) return refuse(ctx, { data: ctx.callbackQuery.data });
    const o = await loadForReview(ctx, id);
    if (!o) return;
    await ctx.answerCallbackQuery();
    if (o.version !== version || !nextStatus(o.status, "edit")) return changedMeanwhile(ctx, o);
    await setPending(ctx, { kind: "edit", outcomeId: id, version, field });
    const current = field === "date" ? o.dateText : (o as Record<string, unknown>)[field];
    await ctx.reply(
      ctx.t("review.prompt.edit", { id, field: ctx.t(`history.fields.${field}`), current: current === null || current === undefined ? "—" : String(current) }),
    );
  });

  return c;
}

/**
 * The author's answer to one question, typed or sent (voice, photo, document): into the thread;
 * the coordinator who asked is told, and gets the files themselves.
 */
async function deliverAnswer(ctx: BotContext, questionId: number, content: { text?: string; files?: AnswerFile[] }) {
  const res = await answerQuestion(ctx.deps.prisma, { questionId, userId: ctx.user!.id, text: content.text, files: content.files, now: now(ctx) });
  if (res.status === "not_yours") await refuse(ctx, { question_id: questionId });
  if (res.status !== "ok") return res.status;
  ctx.log.info({ outcome_id: res.outcome.id, question_id: questionId }, "question answered");
  await ctx.reply(ctx.t("author.answer_sent", { id: res.outcome.id }));
  await tellAsker(
    ctx.deps.prisma,
    res.question,
    res.outcome.id,
    res.backInQueue ? "review.answer_received_queue" : "review.answer_received",
    ctx.user!,
    content,
  );
  return res.status;
}

async function answerOrSayAnswered(ctx: BotContext, questionId: number, content: { text?: string; files?: AnswerFile[] }) {
  const status = await deliverAnswer(ctx, questionId, content);
  if (status === "already_answered") await ctx.reply(ctx.t("author.already_answered"));
}

/** What a coordinator types for a question, note or reason; an edit; an author's answer after its button. */
export const reviewInputRoutes: InputRoutes = {
  link: {
    limit: LIMITS.short,
    async handle(ctx, p, { text }) {
      const other = Number(khmerToAsciiDigits(text!).trim().replace(/^#/, ""));
      if (!Number.isSafeInteger(other) || other <= 0) return ctx.reply(ctx.t("review.link_number"));
      await setPending(ctx, null);
      if (!(await loadForReview(ctx, p.outcomeId))) return;
      await show(ctx, linkChoices(ctx.t, p.outcomeId, other));
    },
  },
  ask: { limit: LIMITS.long, handle: coordinatorText },
  return: { limit: LIMITS.long, handle: coordinatorText },
  reject: { limit: LIMITS.long, handle: coordinatorText },
  edit: {
    limit: (p) => (isEditableField(p.field) ? fieldLimit(p.field) : LIMITS.short),
    async handle(ctx, p, { text }) {
      if (!isEditableField(p.field) || !(await loadForReview(ctx, p.outcomeId))) return setPending(ctx, null);
      const res = await editPart(ctx.deps.prisma, {
        outcomeId: p.outcomeId,
        version: p.version,
        actorId: ctx.user!.id,
        field: p.field,
        text: text!,
        now: now(ctx),
      });
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
    },
  },
  answer: {
    limit: LIMITS.long,
    files: true,
    async handle(ctx, p, input) {
      await setPending(ctx, null);
      await answerOrSayAnswered(ctx, p.questionId, input.file ? { text: input.text, files: [input.file] } : { text: input.text });
    },
  },
};

async function coordinatorText(ctx: BotContext, p: { kind: "ask" | "return" | "reject"; outcomeId: number; version: number }, input: { text?: string }) {
  if (!(await loadForReview(ctx, p.outcomeId))) return setPending(ctx, null);
  const text = input.text!;
  const res = await act(ctx.deps.prisma, { outcomeId: p.outcomeId, version: p.version, actorId: ctx.user!.id, action: p.kind, text, now: now(ctx) });
  await setPending(ctx, null);
  return afterAct(ctx, res, p.kind, p.version, text);
}

/** The leader's buttons: answer a question, revise a returned statement. */
export function authorFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  onButton(c, answerQuestionButton, async (ctx, { question: questionId }) => {
    const q = await ownQuestion(ctx.deps.prisma, ctx.user!.id, questionId);
    if (!q) return refuse(ctx, { question_id: questionId });
    if (q.answeredAt) return ctx.answerCallbackQuery({ text: ctx.t("author.already_answered") });
    // What they sent while choosing a question (see unpromptedAnswerFeature) answers this one.
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

  onButton(c, reviseStatement, async (ctx, { id }) => {
    const own = await ownStatement(ctx.deps.prisma, ctx.user!.id, id);
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

/** The answer in a message: its text (or caption) and its file; an error key when it is none. */
function contentOf(m: NonNullable<BotContext["message"]>): { text?: string; files: AnswerFile[] } | { error: string; params?: Record<string, unknown> } {
  const file = answerFileOf(m);
  const text = (m.text ?? m.caption)?.trim();
  if (text !== undefined && text.length > LIMITS.long) return { error: "errors.too_long", params: { limit: LIMITS.long, length: text.length } };
  const visible = text !== undefined && hasVisibleText(text) ? text : undefined;
  if (!file && visible === undefined) return { error: m.text !== undefined || m.caption !== undefined ? "input.empty" : "answers.wrong_type" };
  return { text: visible, files: file ? [file] : [] };
}

async function askWhich(ctx: BotContext, userId: number) {
  await show(ctx, whichQuestion(ctx.t, await openQuestions(ctx.deps.prisma, userId)));
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

/** Adds what was sent to a recent answer (or to the given question's); false when there is none. */
async function addTo(ctx: BotContext, content: { text?: string; files: AnswerFile[] }, questionId?: number): Promise<boolean> {
  const added = await addToAnswer(ctx.deps.prisma, { userId: ctx.user!.id, questionId, ...content, now: now(ctx) });
  if (!added) return false;
  ctx.log.info({ outcome_id: added.outcome.id, question_id: added.question.id }, "added to an answer");
  await ctx.reply(ctx.t("answers.added", { id: added.outcome.id }));
  await tellAsker(ctx.deps.prisma, added.question, added.outcome.id, "answers.added_received", ctx.user!, content);
  return true;
}

/**
 * Answers typed under a coordinator's question, without pressing its Answer button: that is how
 * people use a chat. With one open question, whatever the author sends (text, voice, photo,
 * document; outside a draft they are writing) is its answer. With several, the bot keeps what
 * they sent and asks which question it answers. Shortly after an answer, more of the same is
 * added to it. Nothing they send is dropped.
 */
export function unpromptedAnswerFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.on("message", async (ctx, next) => {
    const m = ctx.message;
    if (!ctx.user || m.text?.startsWith("/")) return next();
    const held = readPending(ctx.user.pendingInput);
    const picking = held?.kind === "answer_pick" ? held : undefined;
    const questions = picking ? [] : await openQuestions(ctx.deps.prisma, ctx.user.id);
    if (!picking && questions.length === 0 && !(await recentlyAnswered(ctx.deps.prisma, ctx.user.id, now(ctx)))) return next();
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

  onButton(c, pickQuestion, async (ctx, { question: questionId }) => {
    const held = readPending(ctx.user?.pendingInput);
    if (held?.kind !== "answer_pick") return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
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
