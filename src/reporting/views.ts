/** What reporting shows: a coordinator's digest, and /stats. */
import { formatTime } from "../platform/i18n/format.js";
import type { Lang, T } from "../platform/i18n/index.js";
import { type Button, keyboard } from "../platform/telegram/keyboard.js";
import { openCard } from "../review/callbacks.js";
import { snippet } from "../shared/text.js";
import { label } from "../classification/views.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { percentOf } from "./percent.js";
import type { DimensionStats } from "./stats.js";

export interface Digest {
  text: string;
  buttons: Button[];
  empty: boolean;
}

/** What a digest counts over its period (read by the service). */
export interface DigestData {
  submittedCount: number;
  accepted: number;
  rejected: number;
  answered: number;
  waitingCount: number;
  questions: number;
  open: number;
  overdue: number;
  /** When the statement waiting longest began to wait (ms), if any waits. */
  oldest: number | undefined;
  perOrg: Array<{ organisationId: number; n: number }>;
  /** The period's new statements per harvesting question they were tagged to. */
  perQuestion: Array<{ text: string; ids: number[] }>;
  shown: Array<{ id: number; organisation: string; description: string | null; actorName: string | null }>;
  /** The organisations' names, asked only when the digest is not empty. */
  names(ids: number[]): Promise<Map<number, string>>;
}

/** The digest's text and buttons (one per new statement shown), in the coordinator's language. */
export async function digestView(
  t: T,
  input: { from: Date; to: Date; now: Date; lang: Lang; timeZone: string; late: boolean },
  d: DigestData,
): Promise<Digest> {
  const { submittedCount, accepted, rejected, answered, waitingCount, questions, open, overdue, oldest, shown } = d;
  const period = t("digest.period", { from: formatTime(input.from, input.timeZone, input.lang), to: formatTime(input.to, input.timeZone, input.lang) });
  const late = input.late ? ` ${t("digest.late")}` : "";
  const empty = submittedCount === 0 && accepted + rejected === 0 && answered === 0;
  if (empty && waitingCount === 0 && questions === 0 && open === 0) {
    return { text: t("digest.empty", { period, late }), buttons: [], empty: true };
  }
  const names = await d.names(d.perOrg.map((g) => g.organisationId));
  const orgs = d.perOrg.map((g) => t("digest.org_count", { org: names.get(g.organisationId) ?? "?", n: g.n })).join(", ");
  const waitedDays = oldest === undefined ? 0 : Math.floor((input.now.getTime() - oldest) / 86_400_000);
  const lines = [
    t("digest.title", { period, late }),
    t("digest.submitted", { n: submittedCount, orgs: orgs || "—" }),
    t(waitingCount ? "digest.waiting" : "digest.waiting_none", { n: waitingCount, days: waitedDays }),
    t("digest.questions", { n: questions }),
    t("digest.decided", { accepted, rejected }),
    t("digest.substantiation", { open, answered, overdue }),
  ];
  // The period's new statements grouped by the harvesting question they answer.
  if (d.perQuestion.length) {
    lines.push("", `<b>${t("digest.by_question")}</b>`);
    for (const q of d.perQuestion) lines.push(t("digest.question_line", { question: snippet(q.text, 90), n: q.ids.length }));
  }
  if (shown.length) {
    lines.push("", `<b>${t("digest.new_title")}</b>`);
    for (const o of shown) lines.push(t("digest.new_line", { id: o.id, org: o.organisation, snippet: snippet(o.description ?? o.actorName, 70) }));
    if (submittedCount > shown.length) lines.push(t("digest.more", { n: submittedCount - shown.length }));
  }
  const buttons = shown.map((o) => ({ text: t("review.open_button", { id: o.id }), data: openCard.data({ id: o.id }) }));
  return { text: lines.join("\n"), buttons, empty };
}

/** The digest's buttons as stored in the send queue (plain JSON). */
export const digestKeyboard = (d: Digest) => JSON.parse(JSON.stringify(keyboard(d.buttons, 2)));

/**
 * /stats: the counts per classification dimension, each with the base it is a share of (the
 * statements classified in that dimension): "Result 2 (R2) 22 of 36 (61%)". By default one line per
 * dimension with only the options that were chosen (so one statement fits one screen); `all`
 * lists every option, a dimension at a time. Returns the sections, to be packed into messages.
 */
export function statsView(t: T, lang: Lang, title: string, stats: { total: number; leads?: number; dimensions: DimensionStats[] }, all: boolean): string[] {
  const { total, leads } = stats;
  const sections = [total && leads !== undefined ? `${title}\n${t("stats.leads", { complete: total - leads, leads })}` : title];
  const lines: string[] = [];
  for (const d of stats.dimensions) {
    const name = escapeHtml(label(d.dimension, lang));
    const base = stats.total - d.unclassified;
    const options = d.dimension.options.filter((o) => all || (d.counts.get(o.id) ?? 0) > 0);
    const counts = options.map((o) => {
      const n = d.counts.get(o.id) ?? 0;
      return t("stats.option", { option: label(o, lang), n, base, percent: percentOf(n, base) });
    });
    const rest = d.unclassified > 0 || all ? [t("stats.unclassified", { n: d.unclassified })] : [];
    if (all)
      sections.push(`<b>${name}</b> · ${t("stats.classified", { n: base, total: stats.total })}\n${[...counts, ...rest.map((r) => `<i>${r}</i>`)].join("\n")}`);
    else lines.push(`<b>${name}</b>: ${[...counts, ...rest].join(" · ") || "—"}`);
  }
  if (!all) sections.push(lines.join("\n"));
  return sections;
}
