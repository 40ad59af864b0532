/** /charts: the evaluation's charts for a scope and period, as images. */
import { onButton } from "../platform/telegram/callbacks.js";
import type { Scope } from "../shared/access.js";
import { chart, digestEmpty, digestFrequency, digestHour, digestMonthDay, digestOrganisation, digestWeekday, noticeChoice } from "./callbacks.js";
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
    const buttons: Button[] = [{ text: ctx.t("review.all_orgs"), data: chart.data({ org: 0, period: token }) }];
    if (orgs.length > 1) buttons.push(...orgs.map((o) => ({ text: o.name, data: chart.data({ org: o.id, period: token }) })));
    await ctx.reply(ctx.t("charts.title", { period: periodLabel(ctx.t, period) }), { reply_markup: keyboard(buttons) });
  });

  onButton(c, chart, async (ctx, { org, period: token }) => {
    const period = parsePeriod(token);
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
    FREQUENCIES.map((f) => ({ text: mark(sub.frequency === f, t(`digest.frequency.${f}`)), data: digestFrequency.data({ value: f }) })),
    4,
  );
  if (sub.frequency === "weekly") {
    kb.row();
    for (let d = 1; d <= 7; d++) kb.text(mark(sub.weekday === d, t(`digest.weekdays_short.${d}`)), digestWeekday.data({ value: d }));
  }
  if (sub.frequency === "monthly") {
    kb.row();
    for (const d of MONTH_DAYS) kb.text(mark(sub.monthDay === d, String(d)), digestMonthDay.data({ value: d }));
  }
  if (sub.frequency !== "off") {
    kb.row();
    for (const h of HOURS) kb.text(mark(sub.hour === h, `${String(h).padStart(2, "0")}:00`), digestHour.data({ value: h }));
    if (orgs.length > 1) {
      kb.row().text(mark(sub.organisationIds.length === 0, t("digest.settings.whole_scope")), digestOrganisation.data({ org: 0, on: true }));
      for (const o of orgs)
        kb.row().text(mark(sub.organisationIds.includes(o.id), o.name), digestOrganisation.data({ org: o.id, on: !sub.organisationIds.includes(o.id) }));
    }
    kb.row()
      .text(mark(sub.sendEmpty, t("digest.settings.empty_line")), digestEmpty.data({ send: true }))
      .text(mark(!sub.sendEmpty, t("digest.settings.empty_none")), digestEmpty.data({ send: false }));
  }
  // New statements: a notice for each, one list an hour, or none (whatever the digest's frequency).
  kb.row();
  for (const n of NOTICE_CHOICES) kb.text(mark(notices === n, t(`digest.notices_button.${n}`)), noticeChoice.data({ choice: n }));
  if (edit) await ctx.editMessageText(text, { reply_markup: kb }).catch(() => {});
  else await ctx.reply(text, { reply_markup: kb });
}

export function digestFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.command("digest", (ctx) => showSettings(ctx, false));
  onButton(c, noticeChoice, async (ctx, { choice }) => {
    const scope = await scopeOf(ctx);
    if (!scope) return refuse(ctx, { command: "digest" });
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
  /** One change of the subscription (undefined: not a valid choice), saved and shown. */
  type Settings = ReturnType<typeof scheduleOf>;
  const change = async (ctx: BotContext, pick: (current: Settings, scope: Scope) => Partial<Settings> | { refused: Record<string, unknown> } | undefined) => {
    const scope = await scopeOf(ctx);
    if (!scope) return refuse(ctx, { command: "digest" });
    const { prisma } = ctx.deps;
    const current = scheduleOf(await prisma.digestSubscription.findUnique({ where: { userId: ctx.user!.id } }));
    const change = pick(current, scope);
    if (change && "refused" in change) return refuse(ctx, { ...change.refused, command: "digest" });
    if (!change) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    const next = { ...current, ...change };
    await prisma.digestSubscription.upsert({
      where: { userId: ctx.user!.id },
      create: { userId: ctx.user!.id, ...next },
      update: next,
    });
    ctx.log.info({ user_id: ctx.user!.id, ...change }, "digest subscription changed");
    await ctx.answerCallbackQuery({ text: ctx.t("digest.settings.saved") });
    await showSettings(ctx, true);
  };
  const isFrequency = (v: string): v is Settings["frequency"] => (FREQUENCIES as string[]).includes(v);
  onButton(c, digestFrequency, (ctx, { value }) => change(ctx, () => (isFrequency(value) ? { frequency: value } : undefined)));
  onButton(c, digestWeekday, (ctx, { value }) => change(ctx, () => (value >= 1 && value <= 7 ? { weekday: value } : undefined)));
  onButton(c, digestMonthDay, (ctx, { value }) => change(ctx, () => (MONTH_DAYS.includes(value) ? { monthDay: value } : undefined)));
  onButton(c, digestHour, (ctx, { value }) => change(ctx, () => (HOURS.includes(value) ? { hour: value } : undefined)));
  onButton(c, digestEmpty, (ctx, { send }) => change(ctx, () => ({ sendEmpty: send })));
  onButton(c, digestOrganisation, (ctx, { org, on }) =>
    change(ctx, (current, scope) => {
      if (org === 0) return { organisationIds: [] };
      if (!inScope(scope, org)) return { refused: { organisation_id: org } };
      return { organisationIds: on ? [...new Set([...current.organisationIds, org])] : current.organisationIds.filter((id) => id !== org) };
    }),
  );
  return c;
}
