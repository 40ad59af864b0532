/** /charts: the evaluation's charts for a scope and period, as images. */
import { Composer, InputFile } from "grammy";
import { inScope, organisationsIn } from "../shared/access.js";
import { refuse, scopeOf } from "../shared/chat.js";
import { parsePeriod, periodLabel, periodToken } from "./stats.js";
import type { BotContext } from "../shared/context.js";
import { keyboard, type Button } from "../platform/telegram/keyboard.js";
import { chartData, renderChart } from "./charts.js";
import { scheduleOf } from "./schedule.js";
import { FREQUENCIES } from "./schedule.js";
import { isNoticeChoice, NOTICE_CHOICES } from "../review/submitted.js";

export function chartsFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("charts", async (ctx) => {
    const period = parsePeriod(ctx.match);
    if (!period) return ctx.reply(ctx.t("charts.usage"));
    const scope = await scopeOf(ctx);
    if (!scope) return refuse(ctx, { command: "charts" });
    const token = periodToken(period);
    const orgs = await organisationsIn(ctx.deps.prisma, scope);
    const buttons: Button[] = [{ text: ctx.t("review.all_orgs"), data: `ch:0:${token}` }];
    if (orgs.length > 1) buttons.push(...orgs.map((o) => ({ text: o.name, data: `ch:${o.id}:${token}` })));
    await ctx.reply(ctx.t("charts.title", { period: periodLabel(ctx.t, period) }), { reply_markup: keyboard(buttons) });
  });

  c.callbackQuery(/^ch:(\d+):([\d.-]+|all)$/, async (ctx) => {
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
    const orgName = org ? ((await ctx.deps.prisma.organisation.findUnique({ where: { id: org } }))?.name ?? "") : ctx.t("review.all_orgs");
    ctx.log.info({ charts: charts.length, ms: Date.now() - started }, "charts sent");
    await ctx.reply(ctx.t("charts.sent", { n: charts.length, org: orgName, period: periodLabel(ctx.t, period) }));
  });

  return c;
}

// --- /digest: the coordinator's subscription ---

const HOURS = [6, 7, 8, 9, 12, 14, 17, 19];
const MONTH_DAYS = [1, 5, 10, 15, 20, 25, 28];

async function showSettings(ctx: BotContext, edit: boolean) {
  const scope = await scopeOf(ctx);
  if (!scope) return refuse(ctx, { command: "digest" });
  const { prisma } = ctx.deps;
  const row = await prisma.digestSubscription.findUnique({ where: { userId: ctx.user!.id } });
  const sub = scheduleOf(row);
  const orgs = await organisationsIn(prisma, scope);
  const t = ctx.t;
  const when =
    sub.frequency === "off"
      ? t("digest.settings.off")
      : t(`digest.settings.when_${sub.frequency}`, { day: t(`digest.weekdays.${sub.weekday}`), date: sub.monthDay, hour: String(sub.hour).padStart(2, "0") });
  const scopeText = sub.organisationIds.length
    ? orgs
        .filter((o) => sub.organisationIds.includes(o.id))
        .map((o) => o.name)
        .join(", ")
    : t("digest.settings.whole_scope");
  const notices = row?.submitNotices ?? "each";
  const text = [
    t("digest.settings.title", { when, scope: scopeText, empty: t(sub.sendEmpty ? "digest.settings.empty_line" : "digest.settings.empty_none") }),
    t("digest.settings.notices", { value: t(`digest.notices.${notices}`) }),
  ].join("\n");
  const mark = (on: boolean, label: string) => `${on ? "✅ " : ""}${label}`;
  const kb = keyboard(
    FREQUENCIES.map((f) => ({ text: mark(sub.frequency === f, t(`digest.frequency.${f}`)), data: `dg:f:${f}` })),
    4,
  );
  if (sub.frequency === "weekly") {
    kb.row();
    for (let d = 1; d <= 7; d++) kb.text(mark(sub.weekday === d, t(`digest.weekdays_short.${d}`)), `dg:w:${d}`);
  }
  if (sub.frequency === "monthly") {
    kb.row();
    for (const d of MONTH_DAYS) kb.text(mark(sub.monthDay === d, String(d)), `dg:m:${d}`);
  }
  if (sub.frequency !== "off") {
    kb.row();
    for (const h of HOURS) kb.text(mark(sub.hour === h, `${String(h).padStart(2, "0")}:00`), `dg:h:${h}`);
    if (orgs.length > 1) {
      kb.row().text(mark(sub.organisationIds.length === 0, t("digest.settings.whole_scope")), "dg:o:0:1");
      for (const o of orgs) kb.row().text(mark(sub.organisationIds.includes(o.id), o.name), `dg:o:${o.id}:${sub.organisationIds.includes(o.id) ? 0 : 1}`);
    }
    kb.row()
      .text(mark(sub.sendEmpty, t("digest.settings.empty_line")), "dg:e:1")
      .text(mark(!sub.sendEmpty, t("digest.settings.empty_none")), "dg:e:0");
  }
  // New statements: a notice for each, one list an hour, or none (whatever the digest's frequency).
  kb.row();
  for (const n of NOTICE_CHOICES) kb.text(mark(notices === n, t(`digest.notices_button.${n}`)), `dg:n:${n}`);
  if (edit) await ctx.editMessageText(text, { reply_markup: kb }).catch(() => {});
  else await ctx.reply(text, { reply_markup: kb });
}

export function digestFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command("digest", (ctx) => showSettings(ctx, false));
  c.callbackQuery(/^dg:n:(\w+)$/, async (ctx) => {
    const scope = await scopeOf(ctx);
    if (!scope) return refuse(ctx, { command: "digest" });
    const choice = ctx.match[1]!;
    if (!isNoticeChoice(choice)) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.deps.prisma.digestSubscription.upsert({
      where: { userId: ctx.user!.id },
      create: { userId: ctx.user!.id, submitNotices: choice },
      update: { submitNotices: choice },
    });
    ctx.log.info({ user_id: ctx.user!.id, submit_notices: choice }, "notices of new statements changed");
    await ctx.answerCallbackQuery({ text: ctx.t("digest.settings.saved") });
    await showSettings(ctx, true);
  });
  c.callbackQuery(/^dg:(f|w|m|h|e|o):(\w+)(?::([01]))?$/, async (ctx) => {
    const scope = await scopeOf(ctx);
    if (!scope) return refuse(ctx, { command: "digest" });
    const { prisma } = ctx.deps;
    const current = scheduleOf(await prisma.digestSubscription.findUnique({ where: { userId: ctx.user!.id } }));
    const [kind, value, flag] = [ctx.match[1], ctx.match[2]!, ctx.match[3]];
    const n = Number(value);
    const change: Partial<typeof current> = {};
    if (kind === "f" && (FREQUENCIES as string[]).includes(value)) change.frequency = value as typeof current.frequency;
    else if (kind === "w" && n >= 1 && n <= 7) change.weekday = n;
    else if (kind === "m" && MONTH_DAYS.includes(n)) change.monthDay = n;
    else if (kind === "h" && HOURS.includes(n)) change.hour = n;
    else if (kind === "e") change.sendEmpty = value === "1";
    else if (kind === "o") {
      if (n === 0) change.organisationIds = [];
      else if (!inScope(scope, n)) return refuse(ctx, { organisation_id: n, command: "digest" });
      else change.organisationIds = flag === "1" ? [...new Set([...current.organisationIds, n])] : current.organisationIds.filter((id) => id !== n);
    } else return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    const next = { ...current, ...change };
    await prisma.digestSubscription.upsert({
      where: { userId: ctx.user!.id },
      create: { userId: ctx.user!.id, ...next },
      update: next,
    });
    ctx.log.info({ user_id: ctx.user!.id, ...change }, "digest subscription changed");
    await ctx.answerCallbackQuery({ text: ctx.t("digest.settings.saved") });
    await showSettings(ctx, true);
  });
  return c;
}
