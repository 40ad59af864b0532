/** Classifying accepted statements with buttons, and /dimensions to change the dimensions themselves. */
import { Composer } from "grammy";
import type { BotContext } from "../shared/context.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { keyboard, type Button } from "../platform/telegram/keyboard.js";
import { chosenOptions, label, loadDimensions, setOption, setOptionActive } from "./service.js";
import { classificationSummary, loadForReview, refuse, scopeOf } from "../review/feature.js";
import { setPending } from "../review/pending.js";

/** One dimension of one statement, with an option button each (✅ chosen). Edits the message in place. */
async function showClassification(ctx: BotContext, outcomeId: number, index: number, edit: boolean) {
  const dims = (await loadDimensions(ctx.deps.prisma)).filter((d) => d.options.length > 0);
  if (dims.length === 0) return ctx.reply(ctx.t("classify.no_dimensions"));
  const i = Math.min(Math.max(index, 0), dims.length - 1);
  const d = dims[i]!;
  const chosen = (await chosenOptions(ctx.deps.prisma, outcomeId)).get(d.id) ?? new Set<number>();
  const buttons: Button[] = d.options.map((o) => ({
    text: `${chosen.has(o.id) ? "✅" : "▫️"} ${label(o, ctx.lang)}`,
    data: `cl:s:${outcomeId}:${o.id}:${chosen.has(o.id) ? 0 : 1}:${i}`,
  }));
  const nav: Button[] = [];
  if (i > 0) nav.push({ text: ctx.t("classify.prev"), data: `cl:e:${outcomeId}:${i - 1}` });
  if (i < dims.length - 1) nav.push({ text: ctx.t("classify.next"), data: `cl:e:${outcomeId}:${i + 1}` });
  nav.push({ text: ctx.t("classify.done"), data: `cl:d:${outcomeId}` });
  const kb = keyboard(buttons, buttons.length > 4 ? 2 : 1).row();
  for (const b of nav) kb.text(b.text, b.data);
  const text = ctx.t("classify.title", {
    id: outcomeId,
    dimension: label(d, ctx.lang),
    n: i + 1,
    total: dims.length,
    how: ctx.t(d.multiple ? "classify.several" : "classify.one"),
  });
  if (edit) await ctx.editMessageText(text, { reply_markup: kb }).catch(() => {});
  else await ctx.reply(text, { reply_markup: kb });
}

/** An accepted statement in scope; otherwise refused (outside scope) or explained (not accepted). */
async function classifiable(ctx: BotContext, id: number) {
  const o = await loadForReview(ctx, id);
  if (!o) return undefined;
  if (o.status !== "accepted") {
    await ctx.answerCallbackQuery({ text: ctx.t("classify.only_accepted", { status: ctx.t(`status.${o.status}`) }), show_alert: true });
    return undefined;
  }
  return o;
}

/** Dimensions are the programme's: only programme-wide coordinators and admins change them. */
async function programmeWide(ctx: BotContext) {
  const scope = await scopeOf(ctx);
  if (scope?.all) return true;
  await refuse(ctx, { command: "dimensions" });
  return false;
}

export async function showDimension(ctx: BotContext, dimensionId: number, edit: boolean) {
  const all = await loadDimensions(ctx.deps.prisma, { includeInactive: true });
  const d = all.find((x) => x.id === dimensionId);
  if (!d) return refuse(ctx, { dimension_id: dimensionId });
  const lines = d.options.map((o) => `${o.active ? "✅" : "🚫"} ${escapeHtml(label(o, ctx.lang))} <code>${escapeHtml(o.key)}</code>`);
  const buttons: Button[] = d.options.map((o) => ({
    text: `${o.active ? ctx.t("dimensions.disable") : ctx.t("dimensions.enable")}: ${label(o, ctx.lang)}`,
    data: `dm:t:${o.id}:${o.active ? 0 : 1}`,
  }));
  buttons.push({ text: ctx.t("dimensions.add"), data: `dm:a:${d.id}` }, { text: ctx.t("dimensions.back"), data: "dm:l" });
  const text = `<b>${escapeHtml(label(d, ctx.lang))}</b> (${ctx.t(d.multiple ? "classify.several" : "classify.one")})\n${lines.join("\n")}`;
  if (edit) await ctx.editMessageText(text, { reply_markup: keyboard(buttons) }).catch(() => {});
  else await ctx.reply(text, { reply_markup: keyboard(buttons) });
}

async function listDimensions(ctx: BotContext, edit: boolean) {
  const dims = await loadDimensions(ctx.deps.prisma, { includeInactive: true });
  const buttons = dims.map((d) => ({ text: label(d, ctx.lang), data: `dm:d:${d.id}` }));
  const text = ctx.t("dimensions.title");
  if (edit) await ctx.editMessageText(text, { reply_markup: keyboard(buttons) }).catch(() => {});
  else await ctx.reply(text, { reply_markup: keyboard(buttons) });
}

export function classifyFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  // "cl:<id>:<n>" from a card opens the pages in a new message; "cl:e:<id>:<n>" turns the page in place.
  c.callbackQuery(/^cl:(e:)?(\d+):(\d+)$/, async (ctx) => {
    const o = await classifiable(ctx, Number(ctx.match[2]));
    if (!o) return;
    await ctx.answerCallbackQuery();
    await showClassification(ctx, o.id, Number(ctx.match[3]), Boolean(ctx.match[1]));
  });

  c.callbackQuery(/^cl:s:(\d+):(\d+):([01]):(\d+)$/, async (ctx) => {
    const o = await classifiable(ctx, Number(ctx.match[1]));
    if (!o) return;
    const res = await setOption(ctx.deps.prisma, { outcomeId: o.id, optionId: Number(ctx.match[2]), selected: ctx.match[3] === "1", actorId: ctx.user!.id });
    if (res.status === "unknown_option") return refuse(ctx, { option_id: Number(ctx.match[2]) });
    if (res.status !== "ok") return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.answerCallbackQuery(res.changed ? undefined : { text: ctx.t("errors.already_done") });
    if (res.changed) ctx.log.info({ outcome_id: o.id, option_id: Number(ctx.match[2]) }, "classified");
    await showClassification(ctx, o.id, Number(ctx.match[4]), true);
  });

  c.callbackQuery(/^cl:d:(\d+)$/, async (ctx) => {
    const o = await classifiable(ctx, Number(ctx.match[1]));
    if (!o) return;
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    const summary = await classificationSummary(ctx, o.id);
    await ctx.reply(`${ctx.t("classify.finished", { id: o.id })}${summary ? `\n\n${summary}` : ""}`, {
      reply_markup: keyboard([{ text: ctx.t("review.actions.queue"), data: "rv:l:0:submitted:0" }]),
    });
  });

  c.command("dimensions", async (ctx) => {
    if (await programmeWide(ctx)) await listDimensions(ctx, false);
  });
  c.callbackQuery("dm:l", async (ctx) => {
    if (!(await programmeWide(ctx))) return;
    await ctx.answerCallbackQuery();
    await listDimensions(ctx, true);
  });
  c.callbackQuery(/^dm:d:(\d+)$/, async (ctx) => {
    if (!(await programmeWide(ctx))) return;
    await ctx.answerCallbackQuery();
    await showDimension(ctx, Number(ctx.match[1]), true);
  });
  c.callbackQuery(/^dm:t:(\d+):([01])$/, async (ctx) => {
    if (!(await programmeWide(ctx))) return;
    const option = await ctx.deps.prisma.dimensionOption.findUnique({ where: { id: Number(ctx.match[1]) } });
    if (!option) return refuse(ctx, { option_id: Number(ctx.match[1]) });
    await setOptionActive(ctx.deps.prisma, option.id, ctx.match[2] === "1");
    ctx.log.info({ option_id: option.id, active: ctx.match[2] === "1" }, "classification option switched");
    await ctx.answerCallbackQuery();
    await showDimension(ctx, option.dimensionId, true);
  });
  c.callbackQuery(/^dm:a:(\d+)$/, async (ctx) => {
    if (!(await programmeWide(ctx))) return;
    const d = await ctx.deps.prisma.dimension.findUnique({ where: { id: Number(ctx.match[1]) } });
    if (!d) return refuse(ctx, { dimension_id: Number(ctx.match[1]) });
    await setPending(ctx, { kind: "option", dimensionId: d.id });
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("dimensions.add_prompt", { dimension: label(d, ctx.lang) }));
  });

  return c;
}
