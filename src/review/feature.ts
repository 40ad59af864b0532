/**
 * Coordinators review statements: /review (the queue), a statement's card with its evidence,
 * thread and open coaching points, and the actions on it. Every callback re-checks the person's
 * scope and the statement's version; callback data is never trusted.
 */
import { Composer } from "grammy";
import type { OutcomeStatus } from "../generated/prisma/client.js";
import { runChecks } from "../harvest/coaching.js";
import { toView } from "../harvest/drafts.js";
import { renderStatement } from "../harvest/format.js";
import { packMessages } from "../platform/telegram/split.js";
import { formatDay } from "../platform/i18n/format.js";
import { isLang } from "../platform/i18n/index.js";
import { coordinatorScope, inScope, organisationsIn, scopeFilter, type Scope } from "../shared/access.js";
import type { BotContext } from "../shared/context.js";
import { keyboard, type Button } from "../platform/telegram/keyboard.js";
import { notify } from "../platform/telegram/notify.js";
import { substantiationSection, substantiationTags } from "../substantiation/format.js";
import { chosenOptions, label, loadDimensions } from "../classification/service.js";
import { renderThread, snippet, waited } from "./format.js";
import { setPending } from "./pending.js";
import { act, EDITABLE_FIELDS, isEditableField, type ActResult, type CoordinatorAction } from "./service.js";
import { coordinatorActions, nextStatus } from "./status.js";
import { personName } from "../shared/users.js";

export const QUEUE_PAGE = 8;
export const LIST_STATUSES: OutcomeStatus[] = ["submitted", "needs_clarification", "returned", "accepted", "rejected"];
const isListStatus = (s: string): s is OutcomeStatus => (LIST_STATUSES as string[]).includes(s);

export const now = (ctx: BotContext) => ctx.deps.now?.() ?? new Date();

/** Refuses an action outside the person's scope (or on forged data) and logs it. */
export async function refuse(ctx: BotContext, what: Record<string, unknown>) {
  ctx.log.warn({ user_id: ctx.user?.id, ...what }, "refused: outside the person's scope");
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
  else await ctx.reply(ctx.t("errors.not_allowed"));
}

export async function scopeOf(ctx: BotContext): Promise<Scope | null> {
  return coordinatorScope(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin);
}

/** A submitted (not draft, not discarded) statement in the coordinator's scope, with everything the card shows. */
export async function loadForReview(ctx: BotContext, id: number) {
  const scope = await scopeOf(ctx);
  const o = await ctx.deps.prisma.outcome.findFirst({
    where: { id, discardedAt: null, status: { not: "draft" } },
    include: { organisation: { select: { name: true } }, evidence: { orderBy: { id: "asc" } }, author: true },
  });
  if (!o || !inScope(scope, o.organisationId)) {
    await refuse(ctx, { outcome_id: id });
    return undefined;
  }
  return o;
}

async function showQueue(ctx: BotContext, org: number, status: OutcomeStatus, page: number, edit: boolean) {
  const scope = await scopeOf(ctx);
  if (!scope) return refuse(ctx, { command: "review" });
  if (org && !inScope(scope, org)) return refuse(ctx, { organisation_id: org });
  const { prisma } = ctx.deps;
  const where = { discardedAt: null, status, ...(org ? { organisationId: org } : scopeFilter(scope)) };
  const total = await prisma.outcome.count({ where });
  const pages = Math.max(1, Math.ceil(total / QUEUE_PAGE));
  const p = Math.min(Math.max(page, 0), pages - 1);
  const rows = await prisma.outcome.findMany({
    where,
    orderBy: [{ waitingSince: "asc" }, { id: "asc" }],
    skip: p * QUEUE_PAGE,
    take: QUEUE_PAGE,
    include: { organisation: { select: { name: true } } },
  });
  const orgName = org ? ((await prisma.organisation.findUnique({ where: { id: org } }))?.name ?? "") : ctx.t("review.all_orgs");
  const t = ctx.t;
  const head = t("review.queue_title", { status: t(`status.${status}`), org: orgName, count: total, n: total, page: p + 1, pages });
  const tags = await substantiationTags(
    ctx,
    rows.map((o) => o.id),
  );
  const lines = rows.map((o) => {
    const line = t("review.queue_line", {
      id: o.id,
      org: o.organisation.name,
      waited:
        status === "submitted" ? waited(o.waitingSince ?? o.submittedAt, now(ctx), t) : formatDay(o.submittedAt ?? o.updatedAt, ctx.lang, ctx.config.timeZone),
      snippet: snippet(o.description ?? o.actorName),
    });
    return tags.has(o.id) ? `${line}\n${tags.get(o.id)}` : line;
  });
  const buttons: Button[] = rows.map((o) => ({
    text: `${t("format.ref", { id: o.id })} · ${snippet(o.description ?? o.actorName, 28)}`,
    data: `rv:o:${o.id}`,
  }));
  if (p > 0) buttons.push({ text: t("my.prev"), data: `rv:l:${org}:${status}:${p - 1}` });
  if (p < pages - 1) buttons.push({ text: t("my.next"), data: `rv:l:${org}:${status}:${p + 1}` });
  buttons.push({ text: t("review.filter_org"), data: `rv:fo:${status}` }, { text: t("review.filter_status"), data: `rv:fs:${org}` });
  const text = lines.length ? `${head}\n\n${lines.join("\n")}` : `${head}\n\n${t("review.queue_empty")}`;
  const opts = { reply_markup: keyboard(buttons) };
  if (edit) await ctx.editMessageText(text, opts).catch(() => ctx.reply(text, opts));
  else await ctx.reply(text, opts);
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
  sections.push(
    t("review.card_meta", {
      author: personName(o.author, t),
      submitted: o.submittedAt ? formatDay(o.submittedAt, ctx.lang, ctx.config.timeZone) : "—",
      waited: o.status === "submitted" ? waited(o.waitingSince ?? o.submittedAt, now(ctx), t) : "—",
    }),
  );
  const findings = runChecks(view, { organisationName: view.organisationName, voiceParts: new Set(view.voiceParts) });
  if (findings.length) {
    const items = findings.map((f) =>
      f.id.startsWith("detail.") ? t("review.findings.detail", { part: t(`parts.${f.id.slice(7)}`) }) : t(`review.findings.${f.id}`),
    );
    sections.push(`<b>${t("review.findings.title")}</b>\n${items.map((x) => `• ${x}`).join("\n")}`);
  }
  const thread = await prisma.threadMessage.findMany({ where: { outcomeId: id }, orderBy: { id: "asc" }, include: { author: true } });
  const rendered = renderThread(thread, t, ctx.config.timeZone, ctx.lang);
  if (rendered) sections.push(rendered);
  const classes = await classificationSummary(ctx, id);
  if (classes) sections.push(classes);
  const substantiation = await substantiationSection(ctx, id, true);
  if (substantiation) sections.push(substantiation);
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
  const buttons: Button[] = coordinatorActions(o.status).map((a) =>
    a === "classify" ? { text: t("review.actions.classify"), data: `cl:${id}:0` } : { text: t(`review.actions.${a}`), data: `rv:a:${id}:${o.version}:${a}` },
  );
  if (o.status === "accepted") {
    buttons.push({ text: t(o.inDoubt ? "review.actions.not_in_doubt" : "review.actions.in_doubt"), data: `sb:d:${id}:${o.inDoubt ? 0 : 1}` });
  }
  buttons.push({ text: t("review.actions.history"), data: `rv:h:${id}` }, { text: t("review.actions.queue"), data: `rv:l:0:submitted:0` });
  await ctx.reply(t("review.what_next", { id, status: t(`status.${o.status}`) }), { reply_markup: keyboard(buttons, 2) });
}

/** The classification chosen so far, per dimension, or undefined when there is none. */
export async function classificationSummary(ctx: BotContext, outcomeId: number): Promise<string | undefined> {
  const chosen = await chosenOptions(ctx.deps.prisma, outcomeId);
  if (chosen.size === 0) return undefined;
  const dims = await loadDimensions(ctx.deps.prisma);
  const lines = dims
    .filter((d) => chosen.has(d.id))
    .map(
      (d) =>
        `${label(d, ctx.lang)}: ${d.options
          .filter((o) => chosen.get(d.id)!.has(o.id))
          .map((o) => label(o, ctx.lang))
          .join(", ")}`,
    );
  return `<b>${ctx.t("classify.summary_title")}</b>\n${lines.map((l) => `• ${l.replace(/&/g, "&amp;").replace(/</g, "&lt;")}`).join("\n")}`;
}

/** Tells the author about a status change, in their language, through the send queue. A question
 * that finally cannot be delivered is marked in the thread and the coordinator told (see failures.ts). */
async function tellAuthor(ctx: BotContext, res: Extract<ActResult, { ok: true }>, action: CoordinatorAction) {
  const { prisma } = ctx.deps;
  const author = await prisma.user.findUniqueOrThrow({ where: { id: res.outcome.authorId } });
  const id = res.outcome.id;
  const params = { id, text: res.message?.text ?? "", snippet: snippet(res.outcome.description ?? res.outcome.actorName) };
  await notify(
    prisma,
    author,
    `author.${action}`,
    params,
    (t) => {
      if (action === "ask") return keyboard([{ text: t("author.answer_button"), data: `qa:${res.message!.id}` }]);
      if (action === "return") return keyboard([{ text: t("author.revise_button", { id }), data: `rev:${id}` }]);
      return keyboard([{ text: t("author.open_button", { id }), data: `my:o:${id}` }]);
    },
    { ref: res.message ? `thread:${res.message.id}` : undefined },
  );
}

/** Replies to a coordinator after an action (or its refusal); `typed` is echoed back when it could not be applied. */
export async function afterAct(ctx: BotContext, res: ActResult, action: CoordinatorAction, version: number, typed?: string) {
  const t = ctx.t;
  if (!res.ok) {
    if (res.reason === "gone" || !res.outcome) return ctx.reply(t("review.gone"));
    const o = res.outcome;
    const target = nextStatus(o.status, action);
    const mine = await ctx.deps.prisma.outcomeEvent.findFirst({ where: { outcomeId: o.id }, orderBy: { id: "desc" } });
    // The same person pressing the same button twice: the first press applied.
    if (res.reason === "changed" && o.version === version + 1 && mine?.actorId === ctx.user!.id && !typed && target === undefined) {
      if (ctx.callbackQuery) return ctx.answerCallbackQuery({ text: t("errors.already_done") });
      return;
    }
    ctx.log.info({ outcome_id: o.id, action, reason: res.reason }, "review action not applied");
    await ctx.reply(t(res.reason === "changed" ? "review.changed" : "review.not_now", { id: o.id, status: t(`status.${o.status}`) }));
    if (typed) await ctx.reply(t("review.not_applied_text", { text: typed }));
    return showCard(ctx, o.id);
  }
  ctx.log.info({ outcome_id: res.outcome.id, action, from: res.from, to: res.outcome.status }, "review action");
  await tellAuthor(ctx, res, action);
  const id = res.outcome.id;
  const buttons: Button[] = [];
  if (action === "accept") buttons.push({ text: t("review.actions.classify"), data: `cl:${id}:0` });
  buttons.push({ text: t("review.actions.queue"), data: "rv:l:0:submitted:0" });
  await ctx.reply(t(`review.done.${action}`, { id }), { reply_markup: keyboard(buttons) });
}

export function reviewFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("review", (ctx) => showQueue(ctx, 0, "submitted", 0, false));

  c.callbackQuery(/^rv:l:(\d+):(\w+):(\d+)$/, async (ctx) => {
    const status = ctx.match[2]!;
    if (!isListStatus(status)) return refuse(ctx, { data: ctx.callbackQuery.data });
    await showQueue(ctx, Number(ctx.match[1]), status, Number(ctx.match[3]), true);
    await ctx.answerCallbackQuery().catch(() => {});
  });

  c.callbackQuery(/^rv:fo:(\w+)$/, async (ctx) => {
    const status = ctx.match[1]!;
    const scope = await scopeOf(ctx);
    if (!scope || !isListStatus(status)) return refuse(ctx, { data: ctx.callbackQuery.data });
    const orgs = await organisationsIn(ctx.deps.prisma, scope);
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t("review.pick_org"), {
      reply_markup: keyboard([
        { text: ctx.t("review.all_orgs"), data: `rv:l:0:${status}:0` },
        ...orgs.map((o) => ({ text: o.name, data: `rv:l:${o.id}:${status}:0` })),
      ]),
    });
  });

  c.callbackQuery(/^rv:fs:(\d+)$/, async (ctx) => {
    const org = Number(ctx.match[1]);
    const scope = await scopeOf(ctx);
    if (!scope || (org && !inScope(scope, org))) return refuse(ctx, { organisation_id: org });
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t("review.pick_status"), {
      reply_markup: keyboard(
        LIST_STATUSES.map((s) => ({ text: ctx.t(`status.${s}`), data: `rv:l:${org}:${s}:0` })),
        2,
      ),
    });
  });

  c.callbackQuery(/^rv:o:(\d+)$/, async (ctx) => {
    const o = await loadForReview(ctx, Number(ctx.match[1]));
    if (!o) return;
    await ctx.answerCallbackQuery();
    await showCard(ctx, o.id);
  });

  c.callbackQuery(/^rv:a:(\d+):(\d+):(\w+)$/, async (ctx) => {
    const id = Number(ctx.match[1]);
    const version = Number(ctx.match[2]);
    const action = ctx.match[3]!;
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
    await ctx.answerCallbackQuery();
    const allowed = action === "edit" ? nextStatus(o.status, "edit") : nextStatus(o.status, action as CoordinatorAction);
    if (o.version !== version || !allowed) {
      await ctx.reply(ctx.t("review.changed", { id, status: ctx.t(`status.${o.status}`) }));
      return showCard(ctx, id);
    }
    if (action === "edit") {
      await ctx.reply(ctx.t("review.edit_which", { id }), {
        reply_markup: keyboard(
          EDITABLE_FIELDS.map((f) => ({ text: ctx.t(`history.fields.${f}`), data: `rv:e:${id}:${version}:${f}` })),
          2,
        ),
      });
      return;
    }
    await setPending(ctx, { kind: action as "ask" | "return" | "reject", outcomeId: id, version });
    const language = isLang(o.author.language) ? ctx.t(`languages.${o.author.language}`) : ctx.t("languages.en");
    await ctx.reply(ctx.t(`review.prompt.${action}`, { id, author: personName(o.author, ctx.t), language }));
  });

  c.callbackQuery(/^rv:e:(\d+):(\d+):(\w+)$/, async (ctx) => {
    const id = Number(ctx.match[1]);
    const version = Number(ctx.match[2]);
    const field = ctx.match[3]!;
    if (!isEditableField(field)) return refuse(ctx, { data: ctx.callbackQuery.data });
    const o = await loadForReview(ctx, id);
    if (!o) return;
    await ctx.answerCallbackQuery();
    if (o.version !== version || !nextStatus(o.status, "edit")) {
      await ctx.reply(ctx.t("review.changed", { id, status: ctx.t(`status.${o.status}`) }));
      return showCard(ctx, id);
    }
    await setPending(ctx, { kind: "edit", outcomeId: id, version, field });
    const current = field === "date" ? o.dateText : (o as Record<string, unknown>)[field];
    await ctx.reply(
      ctx.t("review.prompt.edit", { id, field: ctx.t(`history.fields.${field}`), current: current === null || current === undefined ? "—" : String(current) }),
    );
  });

  return c;
}
