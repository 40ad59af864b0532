import { Composer } from "grammy";
import type { BotContext } from "../telegram/context.js";
import { escapeHtml } from "../telegram/html.js";
import { keyboard, type Button } from "../telegram/keyboard.js";
import { loadOwn } from "./drafts.js";
import { packMessages, renderStatement } from "./format.js";

export const PAGE_SIZE = 5;

async function showPage(ctx: BotContext, page: number, edit: boolean) {
  const { prisma } = ctx.deps;
  const where = { authorId: ctx.user!.id, discardedAt: null };
  const total = await prisma.outcome.count({ where });
  if (total === 0) return ctx.reply(ctx.t("my.empty"));
  const pages = Math.ceil(total / PAGE_SIZE);
  const p = Math.min(Math.max(page, 0), pages - 1);
  const rows = await prisma.outcome.findMany({ where, orderBy: { updatedAt: "desc" }, skip: p * PAGE_SIZE, take: PAGE_SIZE });
  const lines = rows.map((o) =>
    ctx.t("my.line", {
      id: o.id,
      status: ctx.t(`status.${o.status}`),
      date: (o.submittedAt ?? o.updatedAt).toISOString().slice(0, 10),
      snippet: (o.description ?? o.actorName ?? "…").replace(/\s+/g, " ").slice(0, 60),
    }),
  );
  const buttons: Button[] = rows.map((o) => ({ text: `#${o.id} · ${ctx.t(`status.${o.status}`)}`, data: `my:o:${o.id}` }));
  if (p > 0) buttons.push({ text: ctx.t("my.prev"), data: `my:p:${p - 1}` });
  if (p < pages - 1) buttons.push({ text: ctx.t("my.next"), data: `my:p:${p + 1}` });
  const text = `${ctx.t("my.title", { page: p + 1, pages, total })}\n\n${lines.join("\n")}`;
  const opts = { parse_mode: "HTML" as const, reply_markup: keyboard(buttons) };
  if (edit) await ctx.editMessageText(text, opts).catch(() => ctx.reply(text, opts));
  else await ctx.reply(text, opts);
}

/** /my: the person's own statements, paged; a draft can be opened again for editing. */
export function myStatementsFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command("my", (ctx) => showPage(ctx, 0, false));

  c.callbackQuery(/^my:p:(\d+)$/, async (ctx) => {
    await ctx.answerCallbackQuery();
    await showPage(ctx, Number(ctx.match[1]), true);
  });

  c.callbackQuery(/^my:o:(\d+)$/, async (ctx) => {
    const id = Number(ctx.match[1]);
    // Callback data is not trusted: the statement must be the person's own.
    const d = await loadOwn(ctx.deps.prisma, id, ctx.user!.id);
    if (!d) {
      ctx.log.warn({ outcome_id: id, user_id: ctx.user!.id }, "refused: statement of someone else");
      return ctx.answerCallbackQuery({ text: ctx.t("my.not_yours"), show_alert: true });
    }
    await ctx.answerCallbackQuery();
    const messages = packMessages(renderStatement(d, ctx.t, ctx.lang));
    for (const [i, m] of messages.entries()) {
      const last = i === messages.length - 1;
      await ctx.reply(m, {
        parse_mode: "HTML",
        reply_markup: last && d.status === "draft" ? keyboard([{ text: ctx.t("my.continue"), data: `new:resume:${d.id}` }]) : undefined,
      });
    }
    if (d.status !== "draft") await ctx.reply(ctx.t("my.read_only", { status: escapeHtml(ctx.t(`status.${d.status}`)) }), { parse_mode: "HTML" });
  });

  return c;
}
