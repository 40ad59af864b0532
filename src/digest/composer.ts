/** /charts: the evaluation's charts for a scope and period, as images. */
import { Composer, InputFile } from "grammy";
import { inScope } from "../onboarding/members.js";
import { refuse, scopeOf } from "../review/composer.js";
import { parsePeriod, periodToken, type Period } from "../review/stats.js";
import type { BotContext } from "../telegram/context.js";
import { keyboard, type Button } from "../telegram/keyboard.js";
import { chartData, renderChart } from "./charts.js";

const periodText = (ctx: BotContext, p: Period) => (p.from ? ctx.t("stats.period", { from: p.from, to: p.to }) : ctx.t("stats.all_time"));

export function chartsFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("charts", async (ctx) => {
    const period = parsePeriod(ctx.match);
    if (!period) return ctx.reply(ctx.t("charts.usage"), { parse_mode: "HTML" });
    const scope = await scopeOf(ctx);
    if (!scope) return refuse(ctx, { command: "charts" });
    const token = periodToken(period);
    const orgs = await ctx.deps.prisma.organisation.findMany({ where: scope.all ? {} : { id: { in: scope.orgIds } }, orderBy: { name: "asc" } });
    const buttons: Button[] = [{ text: ctx.t("review.all_orgs"), data: `ch:0:${token}` }];
    if (orgs.length > 1) buttons.push(...orgs.map((o) => ({ text: o.name, data: `ch:${o.id}:${token}` })));
    await ctx.reply(ctx.t("charts.title", { period: periodText(ctx, period) }), { parse_mode: "HTML", reply_markup: keyboard(buttons) });
  });

  c.callbackQuery(/^ch:(\d+):([\d.\-]+|all)$/, async (ctx) => {
    const org = Number(ctx.match[1]);
    const period = parsePeriod(ctx.match[2]!);
    const scope = await scopeOf(ctx);
    if (!scope || !period || (org && !inScope(scope, org))) return refuse(ctx, { organisation_id: org, command: "charts" });
    await ctx.answerCallbackQuery({ text: ctx.t("charts.preparing") });
    const started = Date.now();
    const charts = await chartData(ctx.deps.prisma, scope, period, ctx.lang, org || undefined);
    for (const chart of charts) {
      const png = await renderChart(chart, ctx.lang);
      await ctx.replyWithPhoto(new InputFile(png, `${chart.key}.png`), { caption: chart.title });
    }
    const orgName = org ? (await ctx.deps.prisma.organisation.findUnique({ where: { id: org } }))?.name ?? "" : ctx.t("review.all_orgs");
    ctx.log.info({ charts: charts.length, ms: Date.now() - started }, "charts sent");
    await ctx.reply(ctx.t("charts.sent", { n: charts.length, org: orgName, period: periodText(ctx, period) }), { parse_mode: "HTML" });
  });

  return c;
}
