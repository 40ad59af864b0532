/** Classifying accepted statements with buttons, and /dimensions to change the dimensions themselves. */
import { Composer } from "grammy";
import { LIMITS } from "../harvest/steps.js";
import { onButton } from "../platform/telegram/callbacks.js";
import { loadForReview } from "../review/feature.js";
import { refuse, scopeOf } from "../shared/chat.js";
import type { BotContext } from "../shared/context.js";
import { setPending } from "../shared/pending.js";
import type { InputRoutes } from "../shared/typed-input.js";
import {
  addOptionButton,
  chooseOption,
  classify,
  classifyDone,
  classifyPage,
  dimensionCard,
  dimensionList,
  dimensionMultiple,
  optionActive,
} from "./callbacks.js";
import {
  addOption,
  chosenOptions,
  DimensionError,
  findDimensionById,
  findOptionById,
  label,
  loadDimensions,
  setDimensionMultiple,
  setOption,
  setOptionActive,
} from "./service.js";
import { classificationFinished, classificationPage, classificationSummary, dimensionsView, dimensionView, type View } from "./views.js";

const put = async (ctx: BotContext, v: View, edit: boolean) => {
  if (edit) await ctx.editMessageText(v.text, { reply_markup: v.keyboard }).catch(() => {});
  else await ctx.reply(v.text, { reply_markup: v.keyboard });
};

/** One dimension of one statement, with an option button each (✅ chosen). Edits the message in place. */
async function showClassification(ctx: BotContext, outcomeId: number, index: number, edit: boolean) {
  const dims = (await loadDimensions(ctx.deps.prisma)).filter((d) => d.options.length > 0);
  if (dims.length === 0) return ctx.reply(ctx.t("classify.no_dimensions"));
  const i = Math.min(Math.max(index, 0), dims.length - 1);
  const chosen = (await chosenOptions(ctx.deps.prisma, outcomeId)).get(dims[i]!.id) ?? new Set<number>();
  await put(ctx, classificationPage(ctx.t, ctx.lang, outcomeId, dims, i, chosen), edit);
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

async function showDimension(ctx: BotContext, dimensionId: number, edit: boolean) {
  const d = (await loadDimensions(ctx.deps.prisma, { includeInactive: true })).find((x) => x.id === dimensionId);
  if (!d) return refuse(ctx, { dimension_id: dimensionId });
  await put(ctx, dimensionView(ctx.t, ctx.lang, d), edit);
}

export function classifyFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  // From a card the pages open in a new message; the page buttons turn the page in place.
  const open =
    (edit: boolean) =>
    async (ctx: BotContext, { id, page }: { id: number; page: number }) => {
      const o = await classifiable(ctx, id);
      if (!o) return;
      await ctx.answerCallbackQuery();
      await showClassification(ctx, o.id, page, edit);
    };
  onButton(c, classify, open(false));
  onButton(c, classifyPage, open(true));

  onButton(c, chooseOption, async (ctx, { id, option, selected, page }) => {
    const o = await classifiable(ctx, id);
    if (!o) return;
    const res = await setOption(ctx.deps.prisma, { outcomeId: o.id, optionId: option, selected, actorId: ctx.user!.id });
    if (res.status === "unknown_option") return refuse(ctx, { option_id: option });
    if (res.status !== "ok") return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.answerCallbackQuery(res.changed ? undefined : { text: ctx.t("errors.already_done") });
    if (res.changed) ctx.log.info({ outcome_id: o.id, option_id: option }, "classified");
    await showClassification(ctx, o.id, page, true);
  });

  onButton(c, classifyDone, async (ctx, { id }) => {
    const o = await classifiable(ctx, id);
    if (!o) return;
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    const chosen = await chosenOptions(ctx.deps.prisma, o.id);
    const summary = classificationSummary(ctx.t, ctx.lang, await loadDimensions(ctx.deps.prisma), chosen);
    await put(ctx, classificationFinished(ctx.t, o.id, summary), false);
  });

  c.command("dimensions", async (ctx) => {
    if (await programmeWide(ctx)) await put(ctx, dimensionsView(ctx.t, ctx.lang, await loadDimensions(ctx.deps.prisma, { includeInactive: true })), false);
  });
  onButton(c, dimensionList, async (ctx) => {
    if (!(await programmeWide(ctx))) return;
    await ctx.answerCallbackQuery();
    await put(ctx, dimensionsView(ctx.t, ctx.lang, await loadDimensions(ctx.deps.prisma, { includeInactive: true })), true);
  });
  onButton(c, dimensionCard, async (ctx, { dimension }) => {
    if (!(await programmeWide(ctx))) return;
    await ctx.answerCallbackQuery();
    await showDimension(ctx, dimension, true);
  });
  onButton(c, optionActive, async (ctx, { option: id, active }) => {
    if (!(await programmeWide(ctx))) return;
    const option = await findOptionById(ctx.deps.prisma, id);
    if (!option) return refuse(ctx, { option_id: id });
    await setOptionActive(ctx.deps.prisma, option.id, active);
    ctx.log.info({ option_id: option.id, active }, "classification option switched");
    await ctx.answerCallbackQuery();
    await showDimension(ctx, option.dimensionId, true);
  });
  onButton(c, dimensionMultiple, async (ctx, { dimension, multiple }) => {
    if (!(await programmeWide(ctx))) return;
    const d = await findDimensionById(ctx.deps.prisma, dimension);
    if (!d) return refuse(ctx, { dimension_id: dimension });
    const res = await setDimensionMultiple(ctx.deps.prisma, d.id, multiple);
    if (res.status === "several_chosen")
      return ctx.answerCallbackQuery({ text: ctx.t("dimensions.single_refused", { count: res.statements }), show_alert: true });
    if (res.status === "changed") ctx.log.info({ dimension_id: d.id, multiple }, "classification dimension switched");
    await ctx.answerCallbackQuery(res.status === "changed" ? undefined : { text: ctx.t("errors.already_done") });
    await showDimension(ctx, d.id, true);
  });
  onButton(c, addOptionButton, async (ctx, { dimension }) => {
    if (!(await programmeWide(ctx))) return;
    const d = await findDimensionById(ctx.deps.prisma, dimension);
    if (!d) return refuse(ctx, { dimension_id: dimension });
    await setPending(ctx, { kind: "option", dimensionId: d.id });
    await ctx.answerCallbackQuery();
    await ctx.reply(ctx.t("dimensions.add_prompt", { dimension: label(d, ctx.lang) }));
  });

  return c;
}

/** A new option typed for a dimension: "English label | Khmer label". */
export const classificationInputRoutes: InputRoutes = {
  option: {
    limit: LIMITS.short,
    async handle(ctx, p, { text }) {
      const [en, km] = text!.split("|").map((s) => s.trim());
      if (!en) return ctx.reply(ctx.t("dimensions.add_format"));
      try {
        await addOption(ctx.deps.prisma, { dimension: p.dimensionId, labels: km ? { en, km } : { en } });
      } catch (e) {
        if (e instanceof DimensionError) return ctx.reply(ctx.t("dimensions.add_failed", { reason: e.message }));
        throw e;
      }
      await setPending(ctx, null);
      ctx.log.info({ dimension_id: p.dimensionId }, "classification option added");
      await ctx.reply(ctx.t("dimensions.added", { label: en }));
      return showDimension(ctx, p.dimensionId, false);
    },
  },
};
