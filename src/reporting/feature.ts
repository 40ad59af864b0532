/**
 * Reporting in the chat: /charts (the evaluation's charts as images), /digest (a coordinator's
 * digest and notices), /export (XLSX or CSV), /history of a statement and /stats over the
 * classification. Every press re-checks the person's scope.
 */
import { digestSubscriptionOf, historyOf, organisationName, saveDigestSettings, saveNoticeChoice } from "./service.js";
import { actorOf } from "../shared/chat.js";
import { onButton } from "../platform/telegram/callbacks.js";
import { inScope, organisationsIn, type Scope } from "../shared/access.js";
import {
  chart,
  digestEmpty,
  digestFrequency,
  digestHour,
  digestMonthDay,
  digestOrganisation,
  digestWeekday,
  exportFile,
  noticeChoice,
  stats,
  statsAll,
} from "./callbacks.js";
import { Composer, InputFile } from "grammy";
import { now, refuse, scopeOf } from "../shared/chat.js";
import { classificationStats, parsePeriod, type Period, periodLabel, periodToken } from "./stats.js";
import type { BotContext } from "../shared/context.js";
import { type Button, keyboard } from "../platform/telegram/keyboard.js";
import { chartData, renderChart } from "./charts.js";
import { FREQUENCIES, scheduleOf } from "./schedule.js";
import { isNoticeChoice, NOTICE_CHOICES } from "../review/submitted.js";
import { statementsCsv, workbookBuffer } from "./workbook.js";
import { formatDay } from "../platform/i18n/format.js";
import { statementHistory } from "../review/callbacks.js";
import { packMessages } from "../platform/telegram/split.js";
import { khmerToAsciiDigits } from "../platform/i18n/digits.js";
import { statsView } from "./views.js";
import { eventLabels, historyLine } from "./events.js";

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
    const orgName = (await organisationName(ctx.deps.prisma, org)) ?? ctx.t("review.all_orgs");
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
  const row = await digestSubscriptionOf(prisma, ctx.user!.id);
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
    await saveNoticeChoice(ctx.deps.prisma, ctx.user!.id, choice);
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
    const current = scheduleOf(await digestSubscriptionOf(prisma, ctx.user!.id));
    const change = pick(current, scope);
    if (change && "refused" in change) return refuse(ctx, { ...change.refused, command: "digest" });
    if (!change) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    const next = { ...current, ...change };
    await saveDigestSettings(prisma, ctx.user!.id, next);
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

async function offer(ctx: BotContext, period: Period) {
  const scope = await scopeOf(ctx);
  if (!scope) return refuse(ctx, { command: "export" });
  const token = periodToken(period);
  const orgs = await organisationsIn(ctx.deps.prisma, scope);
  const buttons: Button[] = [
    { text: ctx.t("export.xlsx_all"), data: exportFile.data({ org: 0, period: token, format: "x" }) },
    { text: ctx.t("export.csv_all"), data: exportFile.data({ org: 0, period: token, format: "c" }) },
  ];
  if (orgs.length > 1) buttons.push(...orgs.map((o) => ({ text: `📗 ${o.name}`, data: exportFile.data({ org: o.id, period: token, format: "x" }) })));
  await ctx.reply(ctx.t("export.title", { period: periodLabel(ctx.t, period) }), { reply_markup: keyboard(buttons) });
}

export function exportFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("export", async (ctx) => {
    const period = parsePeriod(ctx.match);
    if (!period) return ctx.reply(ctx.t("export.usage"));
    await offer(ctx, period);
  });

  onButton(c, exportFile, async (ctx, { org, period: token, format }) => {
    const period = parsePeriod(token);
    const scope = await scopeOf(ctx);
    if (!scope || !period || (org && !inScope(scope, org))) return refuse(ctx, { organisation_id: org, command: "export" });
    await ctx.answerCallbackQuery({ text: ctx.t("export.preparing") });
    const q = { scope, organisationId: org || undefined, period, lang: ctx.lang, timeZone: ctx.config.timeZone };
    const csv = format === "c";
    const started = Date.now();
    const { buffer, statements } = csv ? await statementsCsv(ctx.deps.prisma, q) : await workbookBuffer(ctx.deps.prisma, q);
    const stamp = formatDay(now(ctx), "en", ctx.config.timeZone);
    const name = `outcomes-${periodToken(period).replace("..", "_")}-${stamp}.${csv ? "csv" : "xlsx"}`;
    ctx.log.info({ statements, bytes: buffer.length, ms: Date.now() - started, format: csv ? "csv" : "xlsx" }, "export");
    await ctx.replyWithDocument(new InputFile(buffer, name), { caption: ctx.t("export.caption", { n: statements }) });
  });

  return c;
}

/** The event log of one statement, for its author or a coordinator in scope. */
async function showHistory(ctx: BotContext, id: number) {
  const events = await historyOf(ctx.deps.prisma, actorOf(ctx), id);
  if (!events) return refuse(ctx, { outcome_id: id, command: "history" });
  const labels = await eventLabels(ctx.deps.prisma, ctx.lang);
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

/** /stats: the counts per classification dimension (reporting/views.ts statsView), with period and organisation buttons. */
async function showStats(ctx: BotContext, org: number, period: Period, edit: boolean, all = false) {
  const scope = await scopeOf(ctx);
  if (!scope || (org && !inScope(scope, org))) return refuse(ctx, { organisation_id: org, command: "stats" });
  const { prisma } = ctx.deps;
  const stats = await classificationStats(prisma, scope, period, org || undefined);
  const orgName = (await organisationName(prisma, org)) ?? ctx.t("review.all_orgs");
  const t = ctx.t;
  const sections = statsView(t, ctx.lang, t("stats.title", { org: orgName, period: periodLabel(t, period), count: stats.total }), stats, all);
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
