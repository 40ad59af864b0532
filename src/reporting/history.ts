/** /history of a statement and /stats over the classification. */
import { onButton } from "../platform/telegram/callbacks.js";
import { statementHistory } from "../review/callbacks.js";
import { stats, statsAll } from "./callbacks.js";
import { Composer } from "grammy";
import { packMessages } from "../platform/telegram/split.js";
import { khmerToAsciiDigits } from "../platform/i18n/digits.js";
import { coordinatorScope, inScope, organisationsIn } from "../shared/access.js";
import type { BotContext } from "../shared/context.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { keyboard, type Button } from "../platform/telegram/keyboard.js";
import { label } from "../classification/service.js";
import { now, refuse, scopeOf } from "../shared/chat.js";
import { eventLabels, historyLine } from "./events.js";
import { classificationStats, parsePeriod, periodLabel, periodToken, type Period } from "./stats.js";

/** The event log of one statement, for its author or a coordinator in scope. */
async function showHistory(ctx: BotContext, id: number) {
  const { prisma } = ctx.deps;
  const o = await prisma.outcome.findUnique({ where: { id } });
  const scope = await coordinatorScope(prisma, ctx.user?.id, ctx.isAdmin);
  const allowed = o && (o.authorId === ctx.user?.id || (o.status !== "draft" && inScope(scope, o.organisationId)));
  if (!o || !allowed) return refuse(ctx, { outcome_id: id, command: "history" });
  const events = await prisma.outcomeEvent.findMany({ where: { outcomeId: id }, orderBy: { id: "asc" }, include: { actor: true } });
  const labels = await eventLabels(prisma, ctx.lang);
  const lines = events.map((e) => historyLine(e, ctx.t, ctx.lang, ctx.config.timeZone, labels));
  for (const m of packMessages([ctx.t("history.title", { id, count: events.length, n: events.length }), ...lines], 3800)) {
    await ctx.reply(m);
  }
}

function periodButtons(ctx: BotContext, org: number, all: boolean): Button[] {
  const y = now(ctx).getUTCFullYear();
  const month = now(ctx).toISOString().slice(0, 7);
  const yearAgo = `${y - 1}-${month.slice(5)}`;
  const periods: Array<[string, Period]> = [
    ["stats.all_time", {}],
    ["stats.this_year", { from: `${y}-01`, to: `${y}-12` }],
    ["stats.last_year", { from: `${y - 1}-01`, to: `${y - 1}-12` }],
    ["stats.last_12_months", { from: yearAgo, to: month }],
  ];
  return periods.map(([key, p]) => ({ text: ctx.t(key), data: statsData(org, p, all) }));
}

/** The callback data of a /stats view: organisation, period, and whether every option is listed. */
const statsData = (org: number, p: Period, all: boolean) =>
  all ? statsAll.data({ org, period: periodToken(p), all: "a" }) : stats.data({ org, period: periodToken(p) });

/**
 * /stats: the counts per classification dimension. By default one line per dimension, with only
 * the options that were chosen (so one statement fits one screen); "every option" lists them all.
 */
async function showStats(ctx: BotContext, org: number, period: Period, edit: boolean, all = false) {
  const scope = await scopeOf(ctx);
  if (!scope || (org && !inScope(scope, org))) return refuse(ctx, { organisation_id: org, command: "stats" });
  const { prisma } = ctx.deps;
  const stats = await classificationStats(prisma, scope, period, org || undefined);
  const orgName = org ? ((await prisma.organisation.findUnique({ where: { id: org } }))?.name ?? "") : ctx.t("review.all_orgs");
  const t = ctx.t;
  const sections = [t("stats.title", { org: orgName, period: periodLabel(t, period), count: stats.total })];
  const lines: string[] = [];
  for (const d of stats.dimensions) {
    const name = escapeHtml(label(d.dimension, ctx.lang));
    const options = d.dimension.options.filter((o) => all || (d.counts.get(o.id) ?? 0) > 0);
    const counts = options.map((o) => t("stats.option", { option: label(o, ctx.lang), n: d.counts.get(o.id) ?? 0 }));
    const rest = d.unclassified > 0 || all ? [t("stats.unclassified", { n: d.unclassified })] : [];
    if (all) sections.push(`<b>${name}</b>\n${[...counts, ...rest.map((r) => `<i>${r}</i>`)].join("\n")}`);
    else lines.push(`<b>${name}</b>: ${[...counts, ...rest].join(" · ") || "—"}`);
  }
  if (!all) sections.push(lines.join("\n"));
  const orgs = await organisationsIn(prisma, scope);
  const buttons = periodButtons(ctx, org, all);
  buttons.push({ text: t(all ? "stats.show_chosen" : "stats.show_all"), data: statsData(org, period, !all) });
  if (orgs.length > 1) {
    buttons.push({ text: t("review.all_orgs"), data: statsData(0, period, all) }, ...orgs.map((o) => ({ text: o.name, data: statsData(o.id, period, all) })));
  }
  const messages = packMessages(sections);
  for (const [i, m] of messages.entries()) {
    const last = i === messages.length - 1;
    const opts = { reply_markup: last ? keyboard(buttons, 2) : undefined };
    if (edit && messages.length === 1) await ctx.editMessageText(m, opts).catch(() => ctx.reply(m, opts));
    else await ctx.reply(m, opts);
  }
}

export function reportsFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("history", async (ctx) => {
    const id = Number(khmerToAsciiDigits(ctx.match.trim()).replace(/^#/, ""));
    if (!Number.isSafeInteger(id) || id <= 0) return ctx.reply(ctx.t("history.usage"));
    await showHistory(ctx, id);
  });
  onButton(c, statementHistory, async (ctx, { id }) => {
    await showHistory(ctx, id);
    await ctx.answerCallbackQuery().catch(() => {});
  });

  c.command("stats", async (ctx) => {
    const period = parsePeriod(ctx.match);
    if (!period) return ctx.reply(ctx.t("stats.usage"));
    await showStats(ctx, 0, period, false);
  });
  const statsButton = async (ctx: BotContext & { callbackQuery: { data?: string } }, org: number, token: string, all: boolean) => {
    const period = parsePeriod(token);
    if (!period) return refuse(ctx, { data: ctx.callbackQuery.data });
    await showStats(ctx, org, period, true, all);
    await ctx.answerCallbackQuery().catch(() => {});
  };
  onButton(c, stats, (ctx, { org, period }) => statsButton(ctx, org, period, false));
  onButton(c, statsAll, (ctx, { org, period }) => statsButton(ctx, org, period, true));

  return c;
}
