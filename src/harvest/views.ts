import type { T, Lang } from "../platform/i18n/index.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { formatDate, ymFromString, type EraQuestion, type ParsedDate } from "./dates.js";
import { formatDay } from "../platform/i18n/format.js";
import { type Button, keyboard } from "../platform/telegram/keyboard.js";
import { answerQuestionButton, reviseStatement, statementHistory } from "../review/callbacks.js";
import { suggestSources } from "../substantiation/callbacks.js";
import { myPage, myStatement, reminders, resumeDraft } from "./callbacks.js";
import type { DraftView, MyStatements } from "./service.js";

export function draftDate(d: Pick<DraftView, "dateKind" | "dateStart" | "dateEnd">): ParsedDate | undefined {
  if (!d.dateKind || !d.dateStart) return undefined;
  return {
    kind: d.dateKind as ParsedDate["kind"],
    start: ymFromString(d.dateStart),
    end: d.dateEnd ? ymFromString(d.dateEnd) : undefined,
  };
}

const yesNo = (v: boolean | null, t: T, yes: string, no: string) => (v === null ? t("format.none") : t(v ? yes : no));

/** The statement as sections of safe HTML, each short enough for one Telegram message. */
export function renderStatement(d: DraftView, t: T, lang: Lang): string[] {
  const none = `<i>${t("format.none")}</i>`;
  const text = (v: string | null, part?: string) => {
    const voice = part && d.voiceParts.includes(part) ? ` 🎤 <i>${t("format.voice_note")}</i>` : "";
    return (v ? escapeHtml(v) : voice ? "" : none) + voice;
  };
  const date = draftDate(d);
  const numbers =
    d.peopleAffected === null && d.womenAffected === null
      ? none
      : d.womenAffected === null
        ? t("format.numbers_people", { people: d.peopleAffected })
        : d.peopleAffected === null
          ? t("format.numbers_women", { women: d.womenAffected })
          : t("format.numbers", { people: d.peopleAffected, women: d.womenAffected });
  const section = (label: string, body: string) => `<b>${t(label)}</b>\n${body}`;
  return [
    t("format.title", { id: d.id, status: t(`status.${d.status}`), org: d.organisationName }),
    section("format.description", text(d.description, "description")),
    section("format.actor", d.actorName ? `${escapeHtml(d.actorName)}${d.actorType ? `\n<i>${t(`actor_types.${d.actorType}`)}</i>` : ""}` : none),
    section("format.date", date ? escapeHtml(formatDate(date, lang)) : text(d.dateText)),
    section("format.place", text(d.place)),
    section("format.significance", text(d.significance, "significance")),
    section("format.contribution", text(d.contribution, "contribution")),
    section("format.people", numbers),
    section("format.nature", `${yesNo(d.expected, t, "format.expected", "format.unexpected")} · ${yesNo(d.positive, t, "format.positive", "format.negative")}`),
    section("format.evidence", `${evidenceTally(d, t)}${d.sources ? `\n${escapeHtml(d.sources)}` : ""}`),
  ];
}

/** The words of a question about a Buddhist year that falls in two common years: the year and its months. */
export function eraParams(era: EraQuestion, lang: Lang) {
  const month = (p: { year: number; month?: number }) => formatDate({ kind: "month", start: p }, lang);
  return { be: era.beYear, from: month(era.from), to: month(era.to) };
}

/** A link, as opposed to the name of a source, among the typed evidence. */
export const isLink = (line: string) => /https?:\/\/|www\.|t\.me\/|\b[a-z0-9-]+\.(?:com|org|net|gov|kh|info|io)\b/i.test(line);

const EVIDENCE_KINDS = ["photo", "document", "voice", "audio", "video", "link", "note"] as const;

/** The evidence so far, counted by kind: "2 photos, 1 link" (or "nothing yet"). */
export function evidenceTally(d: Pick<DraftView, "evidenceKinds" | "sources">, t: T): string {
  const counts = new Map<string, number>();
  for (const k of d.evidenceKinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const line of (d.sources ?? "").split("\n").filter((l) => l.trim())) {
    const k = isLink(line) ? "link" : "note";
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const parts = EVIDENCE_KINDS.filter((k) => counts.get(k)).map((k) => t(`format.kinds.${k}`, { count: counts.get(k)! }));
  return parts.length ? parts.join(", ") : t("format.no_evidence");
}

/** Which parts have an answer, for "what was kept" after /cancel. */
export function answeredParts(d: DraftView): string[] {
  const parts: Array<[string, boolean]> = [
    ["description", Boolean(d.description) || d.voiceParts.includes("description")],
    ["actor", Boolean(d.actorName)],
    ["date", Boolean(d.dateText)],
    ["place", Boolean(d.place)],
    ["significance", Boolean(d.significance) || d.voiceParts.includes("significance")],
    ["contribution", Boolean(d.contribution) || d.voiceParts.includes("contribution")],
    ["numbers", d.peopleAffected !== null || d.womenAffected !== null],
    ["nature", d.expected !== null || d.positive !== null],
    ["evidence", d.evidenceKinds.length > 0 || Boolean(d.sources)],
  ];
  return parts.filter(([, ok]) => ok).map(([p]) => p);
}

/** One page of /my: a line and a button per statement (❓ where a question waits), and the pages. */
export function myPageView(t: T, lang: Lang, timeZone: string, my: MyStatements, tags: Map<number, string>) {
  const { rows, asked, page: p, pages, total } = my;
  const lines = rows.map((o) => {
    const line = t(asked.has(o.id) ? "my.line_question" : "my.line", {
      id: o.id,
      status: t(`status.${o.status}`),
      date: formatDay(o.submittedAt ?? o.updatedAt, lang, timeZone),
      snippet: (o.description ?? o.actorName ?? "…").replace(/\s+/g, " ").slice(0, 60),
    });
    const tag = tags.get(o.id);
    return tag ? `${line}\n${tag}` : line;
  });
  const buttons: Button[] = rows.map((o) => ({
    text: `${asked.has(o.id) ? "❓ " : ""}${t("format.ref", { id: o.id })} · ${t(`status.${o.status}`)}`,
    data: myStatement.data({ id: o.id }),
  }));
  if (p > 0) buttons.push({ text: t("my.prev"), data: myPage.data({ page: p - 1 }) });
  if (p < pages - 1) buttons.push({ text: t("my.next"), data: myPage.data({ page: p + 1 }) });
  return { text: `${t("my.title", { page: p + 1, pages, total })}\n\n${lines.join("\n")}`, keyboard: keyboard(buttons) };
}

/** What the author can do with one of their statements: continue, revise, answer, suggest sources, see its history. */
export function myStatementButtons(t: T, d: DraftView, openQuestions: number[]) {
  const buttons: Button[] = [];
  if (d.status === "draft") buttons.push({ text: t("my.continue"), data: resumeDraft.data({ id: d.id }) });
  if (d.status === "returned") buttons.push({ text: t("author.revise_button", { id: d.id }), data: reviseStatement.data({ id: d.id }) });
  for (const q of openQuestions) buttons.push({ text: t("author.answer_button"), data: answerQuestionButton.data({ question: q }) });
  if (d.status !== "draft" && d.status !== "rejected") buttons.push({ text: t("suggest.button"), data: suggestSources.data({ id: d.id }) });
  buttons.push({ text: t("review.actions.history"), data: statementHistory.data({ id: d.id }) });
  return keyboard(buttons);
}

/** /reminders: whether round reminders are on, and the button to switch. */
export function remindersView(t: T, paused: boolean) {
  return {
    text: t(paused ? "rounds.paused_state" : "rounds.active_state"),
    keyboard: keyboard([
      paused
        ? { text: t("rounds.resume_button"), data: reminders.data({ on: true }) }
        : { text: t("rounds.pause_button"), data: reminders.data({ on: false }) },
    ]),
  };
}
