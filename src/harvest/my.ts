import { Composer } from "grammy";
import { onButton } from "../platform/telegram/callbacks.js";
import { answerQuestionButton, reviseStatement, statementHistory } from "../review/callbacks.js";
import { suggestSources } from "../substantiation/callbacks.js";
import { myPage, myStatement, resumeDraft } from "./callbacks.js";
import type { BotContext } from "../shared/context.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { keyboard, type Button } from "../platform/telegram/keyboard.js";
import { loadOwn } from "./service.js";
import { renderThread } from "../review/views.js";
import { progressMap, substantiationOf } from "../substantiation/service.js";
import { substantiationSection, substantiationTags } from "../substantiation/views.js";
import { renderStatement } from "./views.js";
import { packMessages } from "../platform/telegram/split.js";
import { formatDay } from "../platform/i18n/format.js";

export const PAGE_SIZE = 5;

/** Statements with something for the author to do come first: open questions, then revisions. */
const URGENCY: Record<string, number> = { needs_clarification: 0, returned: 1 };

async function showPage(ctx: BotContext, page: number, edit: boolean) {
  const { prisma } = ctx.deps;
  const where = { authorId: ctx.user!.id, discardedAt: null };
  const all = await prisma.outcome.findMany({ where, select: { id: true, status: true, updatedAt: true } });
  if (all.length === 0) return ctx.reply(ctx.t("my.empty"));
  const open = await prisma.threadMessage.findMany({
    where: { kind: "question", answeredAt: null, outcome: where },
    select: { outcomeId: true },
  });
  const asked = new Set(open.map((q) => q.outcomeId));
  const rank = (o: { id: number; status: string }) => (asked.has(o.id) ? -1 : (URGENCY[o.status] ?? 2));
  all.sort((a, b) => rank(a) - rank(b) || b.updatedAt.getTime() - a.updatedAt.getTime());
  const total = all.length;
  const pages = Math.ceil(total / PAGE_SIZE);
  const p = Math.min(Math.max(page, 0), pages - 1);
  const ids = all.slice(p * PAGE_SIZE, (p + 1) * PAGE_SIZE).map((o) => o.id);
  const found = await prisma.outcome.findMany({ where: { id: { in: ids } } });
  const rows = ids.map((id) => found.find((o) => o.id === id)!);
  const tags = substantiationTags(ctx.t, await progressMap(ctx.deps.prisma, ids));
  const lines = rows.map((o) => {
    const line = ctx.t(asked.has(o.id) ? "my.line_question" : "my.line", {
      id: o.id,
      status: ctx.t(`status.${o.status}`),
      date: formatDay(o.submittedAt ?? o.updatedAt, ctx.lang, ctx.config.timeZone),
      snippet: (o.description ?? o.actorName ?? "…").replace(/\s+/g, " ").slice(0, 60),
    });
    return tags.has(o.id) ? `${line}\n${tags.get(o.id)}` : line;
  });
  const buttons: Button[] = rows.map((o) => ({
    text: `${asked.has(o.id) ? "❓ " : ""}${ctx.t("format.ref", { id: o.id })} · ${ctx.t(`status.${o.status}`)}`,
    data: myStatement.data({ id: o.id }),
  }));
  if (p > 0) buttons.push({ text: ctx.t("my.prev"), data: myPage.data({ page: p - 1 }) });
  if (p < pages - 1) buttons.push({ text: ctx.t("my.next"), data: myPage.data({ page: p + 1 }) });
  const text = `${ctx.t("my.title", { page: p + 1, pages, total })}\n\n${lines.join("\n")}`;
  const opts = { reply_markup: keyboard(buttons) };
  if (edit) await ctx.editMessageText(text, opts).catch(() => ctx.reply(text, opts));
  else await ctx.reply(text, opts);
}

/** /my: the person's own statements, paged; a draft can be opened again for editing. */
export function myStatementsFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command("my", (ctx) => showPage(ctx, 0, false));

  onButton(c, myPage, async (ctx, { page }) => {
    await ctx.answerCallbackQuery();
    await showPage(ctx, page, true);
  });

  onButton(c, myStatement, async (ctx, { id }) => {
    // Callback data is not trusted: the statement must be the person's own.
    const d = await loadOwn(ctx.deps.prisma, id, ctx.user!.id);
    if (!d) {
      ctx.log.warn({ outcome_id: id, user_id: ctx.user!.id }, "refused: statement of someone else");
      return ctx.answerCallbackQuery({ text: ctx.t("my.not_yours"), show_alert: true });
    }
    await ctx.answerCallbackQuery();
    const { prisma } = ctx.deps;
    const thread = await prisma.threadMessage.findMany({ where: { outcomeId: id }, orderBy: { id: "asc" }, include: { author: true } });
    const sections = renderStatement(d, ctx.t, ctx.lang);
    const rendered = renderThread(thread, ctx.t, ctx.config.timeZone, ctx.lang);
    if (rendered) sections.push(rendered);
    const substantiation = substantiationSection(ctx.t, await substantiationOf(ctx.deps.prisma, d.id, true));
    if (substantiation) sections.push(substantiation);
    const buttons: Button[] = [];
    if (d.status === "draft") buttons.push({ text: ctx.t("my.continue"), data: resumeDraft.data({ id: d.id }) });
    if (d.status === "returned") buttons.push({ text: ctx.t("author.revise_button", { id: d.id }), data: reviseStatement.data({ id: d.id }) });
    for (const q of thread.filter((m) => m.kind === "question" && !m.answeredAt)) {
      buttons.push({ text: ctx.t("author.answer_button"), data: answerQuestionButton.data({ question: q.id }) });
    }
    if (d.status !== "draft" && d.status !== "rejected") buttons.push({ text: ctx.t("suggest.button"), data: suggestSources.data({ id: d.id }) });
    buttons.push({ text: ctx.t("review.actions.history"), data: statementHistory.data({ id: d.id }) });
    const messages = packMessages(sections);
    for (const [i, m] of messages.entries()) {
      await ctx.reply(m, { reply_markup: i === messages.length - 1 ? keyboard(buttons) : undefined });
    }
    if (d.status !== "draft" && d.status !== "returned" && !thread.some((m) => m.kind === "question" && !m.answeredAt)) {
      await ctx.reply(ctx.t("my.read_only", { status: escapeHtml(ctx.t(`status.${d.status}`)) }));
    }
  });

  return c;
}
