/** What classification shows in other features' views: the options chosen so far, per dimension. */
import type { Lang, T } from "../platform/i18n/index.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { type Button, keyboard } from "../platform/telegram/keyboard.js";
import { QUEUE_START, queuePage } from "../review/callbacks.js";
import { addOptionButton, chooseOption, classifyDone, classifyPage, dimensionCard, dimensionList, dimensionMultiple, optionActive } from "./callbacks.js";
import type { Dimension, DimensionOption } from "../generated/prisma/client.js";

/** The classification chosen so far, per dimension, or undefined when there is none. */
export function classificationSummary(t: T, lang: Lang, dims: DimensionWithOptions[], chosen: Map<number, Set<number>>): string | undefined {
  if (chosen.size === 0) return undefined;
  const lines = dims
    .filter((d) => chosen.has(d.id))
    .map(
      (d) =>
        `${label(d, lang)}: ${d.options
          .filter((o) => chosen.get(d.id)!.has(o.id))
          .map((o) => label(o, lang))
          .join(", ")}`,
    );
  return `<b>${t("classify.summary_title")}</b>\n${lines.map((l) => `• ${escapeHtml(l)}`).join("\n")}`;
}

/** A label in the wanted language, else English, else the key. */
export function label(x: { labels: unknown; key: string }, lang: Lang): string {
  const l = (x.labels ?? {}) as Record<string, string>;
  return l[lang] || l.en || x.key;
}

export type DimensionWithOptions = Dimension & { options: DimensionOption[] };

export interface View {
  text: string;
  keyboard?: ReturnType<typeof keyboard>;
}

/** One dimension of one statement, with an option button each (✅ chosen), and the pages. */
export function classificationPage(t: T, lang: Lang, outcomeId: number, dims: DimensionWithOptions[], i: number, chosen: Set<number>): View {
  const d = dims[i]!;
  const buttons: Button[] = d.options.map((o) => ({
    text: `${chosen.has(o.id) ? "✅" : "▫️"} ${label(o, lang)}`,
    data: chooseOption.data({ id: outcomeId, option: o.id, selected: !chosen.has(o.id), page: i }),
  }));
  const nav: Button[] = [];
  if (i > 0) nav.push({ text: t("classify.prev"), data: classifyPage.data({ id: outcomeId, page: i - 1 }) });
  if (i < dims.length - 1) nav.push({ text: t("classify.next"), data: classifyPage.data({ id: outcomeId, page: i + 1 }) });
  nav.push({ text: t("classify.done"), data: classifyDone.data({ id: outcomeId }) });
  const kb = keyboard(buttons, buttons.length > 4 ? 2 : 1).row();
  for (const b of nav) kb.text(b.text, b.data);
  const text = t("classify.title", {
    id: outcomeId,
    dimension: label(d, lang),
    n: i + 1,
    total: dims.length,
    how: t(d.multiple ? "classify.several" : "classify.one"),
  });
  return { text, keyboard: kb };
}

export function classificationFinished(t: T, outcomeId: number, summary: string | undefined): View {
  return {
    text: `${t("classify.finished", { id: outcomeId })}${summary ? `\n\n${summary}` : ""}`,
    keyboard: keyboard([{ text: t("review.actions.queue"), data: queuePage.data(QUEUE_START) }]),
  };
}

/** /dimensions: one dimension's options (on or off, with their keys), and adding one. */
export function dimensionView(t: T, lang: Lang, d: DimensionWithOptions): View {
  const lines = d.options.map((o) => `${o.active ? "✅" : "🚫"} ${escapeHtml(label(o, lang))} <code>${escapeHtml(o.key)}</code>`);
  const buttons: Button[] = d.options.map((o) => ({
    text: `${o.active ? t("dimensions.disable") : t("dimensions.enable")}: ${label(o, lang)}`,
    data: optionActive.data({ option: o.id, active: !o.active }),
  }));
  buttons.push(
    { text: t("dimensions.add"), data: addOptionButton.data({ dimension: d.id }) },
    { text: t(d.multiple ? "dimensions.make_single" : "dimensions.make_multiple"), data: dimensionMultiple.data({ dimension: d.id, multiple: !d.multiple }) },
    { text: t("dimensions.back"), data: dimensionList.data({}) },
  );
  return {
    text: `<b>${escapeHtml(label(d, lang))}</b> (${t(d.multiple ? "classify.several" : "classify.one")})\n${lines.join("\n")}`,
    keyboard: keyboard(buttons),
  };
}

export function dimensionsView(t: T, lang: Lang, dims: DimensionWithOptions[]): View {
  return { text: t("dimensions.title"), keyboard: keyboard(dims.map((d) => ({ text: label(d, lang), data: dimensionCard.data({ dimension: d.id }) }))) };
}
