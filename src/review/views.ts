/** What review shows: the queue, a statement's card and thread, the actions, the notices about them. */
import type { LeadGap } from "../harvest/coaching.js";
import type { Links } from "./links.js";
import { leadLine } from "../harvest/lead.js";
import type { Outcome, OutcomeStatus, ThreadMessage, User } from "../generated/prisma/client.js";
import { formatDay, formatTime } from "../platform/i18n/format.js";
import type { Lang, T } from "../platform/i18n/index.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { type Button, keyboard } from "../platform/telegram/keyboard.js";
import { classify } from "../classification/callbacks.js";
import { myStatement } from "../harvest/callbacks.js";
import { inDoubt } from "../substantiation/callbacks.js";
import { snippet } from "../shared/text.js";
import { authorName, personName } from "../shared/users.js";
import {
  answerQuestionButton,
  contributorToggle,
  contributorsOf,
  questionToggle,
  questionsOf,
  editField,
  LINK_CHOICES,
  linkChoice,
  linkStart,
  filterOrganisation,
  filterStatus,
  openCard,
  pickQuestion,
  QUEUE_START,
  queuePage,
  reviewAction,
  reviseStatement,
  statementHistory,
} from "./callbacks.js";
import { coordinatorActions } from "./status.js";

export { snippet };

export interface View {
  text: string;
  keyboard?: ReturnType<typeof keyboard>;
}

/** How long something has waited: "just now", "12 minutes", "5 hours", "3 days". */
export function waited(since: Date | null, now: Date, t: T): string {
  if (!since) return "";
  const minutes = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  if (minutes < 2) return t("review.waited_now");
  if (minutes < 60) return t("review.waited_minutes", { count: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t("review.waited_hours", { count: hours });
  return t("review.waited_days", { count: Math.floor(hours / 24) });
}

/** The sign of a file in the thread, the event log and notices: 🎤 voice note, 📷 photo, 📎 anything else. */
export const fileIcon = (kind: string | null) => (kind === null || kind === "voice" ? "🎤" : kind === "photo" ? "📷" : "📎");

/** A file in the thread: "🎤 voice note", "📷 photo", "📎 file". */
export function fileLabel(kind: string | null, t: T): string {
  const k = kind ?? "voice";
  return `${fileIcon(kind)} <i>${t(`thread.files.${k === "voice" || k === "photo" ? k : "file"}`)}</i>`;
}

/** The review thread: questions, answers, notes and reasons, oldest first. */
export function renderThread(messages: Array<ThreadMessage & { author: User }>, t: T, timeZone: string, lang: Lang): string | undefined {
  if (messages.length === 0) return undefined;
  const lines = messages.map((m) => {
    const file = m.fileId ? fileLabel(m.fileKind, t) : "";
    const body = [m.text ? escapeHtml(m.text) : "", file].filter(Boolean).join("\n");
    const flag = m.delivered === false ? ` ⚠️ ${t("review.undelivered_flag")}` : "";
    const open = m.kind === "question" && !m.answeredAt ? ` ⏳ ${t("review.unanswered_flag")}` : "";
    return `${t(`thread.${m.kind}`, { name: personName(m.author, t), time: formatTime(m.createdAt, timeZone, lang) })}${flag}${open}\n${body}`;
  });
  return `<b>${t("thread.title")}</b>\n${lines.join("\n\n")}`;
}

export interface QueueRow {
  id: number;
  organisation: string;
  /** What it lacks to be more than an outcome lead (harvest/coaching.ts leadGaps). */
  gaps: readonly LeadGap[];
  description: string | null;
  actorName: string | null;
  waitingSince: Date | null;
  submittedAt: Date | null;
  updatedAt: Date;
}

export interface QueueView {
  org: number;
  orgName: string | undefined;
  status: OutcomeStatus;
  total: number;
  page: number;
  pages: number;
  rows: QueueRow[];
  tags: Map<number, string>;
}

/** One page of /review: a line and a button per statement, paging, the filters. */
export function queueView(t: T, lang: Lang, timeZone: string, now: Date, q: QueueView): View {
  const { org, status, page: p, pages, total } = q;
  const head = t("review.queue_title", { status: t(`status.${status}`), org: q.orgName ?? t("review.all_orgs"), count: total, n: total, page: p + 1, pages });
  const lines = q.rows.map((o) => {
    const line = t("review.queue_line", {
      id: o.id,
      org: o.organisation,
      waited: status === "submitted" ? waited(o.waitingSince ?? o.submittedAt, now, t) : formatDay(o.submittedAt ?? o.updatedAt, lang, timeZone),
      snippet: snippet(o.description ?? o.actorName),
    });
    return [line, leadLine(t, o.gaps), q.tags.get(o.id)].filter(Boolean).join("\n");
  });
  const buttons: Button[] = q.rows.map((o) => ({
    text: `${t("format.ref", { id: o.id })} · ${snippet(o.description ?? o.actorName, 28)}`,
    data: openCard.data({ id: o.id }),
  }));
  if (p > 0) buttons.push({ text: t("my.prev"), data: queuePage.data({ org, status, page: p - 1 }) });
  if (p < pages - 1) buttons.push({ text: t("my.next"), data: queuePage.data({ org, status, page: p + 1 }) });
  buttons.push(
    { text: t("review.filter_org"), data: filterOrganisation.data({ status }) },
    { text: t("review.filter_status"), data: filterStatus.data({ org }) },
  );
  return { text: `${head}\n\n${lines.length ? lines.join("\n") : t("review.queue_empty")}`, keyboard: keyboard(buttons) };
}

export function pickQueueOrganisation(t: T, status: OutcomeStatus, orgs: Array<{ id: number; name: string }>): View {
  return {
    text: t("review.pick_org"),
    keyboard: keyboard([
      { text: t("review.all_orgs"), data: queuePage.data({ org: 0, status, page: 0 }) },
      ...orgs.map((o) => ({ text: o.name, data: queuePage.data({ org: o.id, status, page: 0 }) })),
    ]),
  };
}

export function pickQueueStatus(t: T, org: number, statuses: OutcomeStatus[]): View {
  return {
    text: t("review.pick_status"),
    keyboard: keyboard(
      statuses.map((s) => ({ text: t(`status.${s}`), data: queuePage.data({ org, status: s, page: 0 }) })),
      2,
    ),
  };
}

/** The card's line about author, submission and waiting time. */
export function cardMeta(t: T, lang: Lang, timeZone: string, now: Date, o: Outcome & { author: User | null }): string {
  return t("review.card_meta", {
    author: authorName(o, t),
    submitted: o.submittedAt ? formatDay(o.submittedAt, lang, timeZone) : "—",
    waited: o.status === "submitted" ? waited(o.waitingSince ?? o.submittedAt, now, t) : "—",
  });
}

/** The coaching points a statement still has, as the card lists them. */
export function findingsSection(t: T, findings: Array<{ id: string }>): string | undefined {
  if (findings.length === 0) return undefined;
  const items = findings.map((f) =>
    f.id.startsWith("detail.") ? t("review.findings.detail", { part: t(`parts.${f.id.slice(7)}`) }) : t(`review.findings.${f.id}`),
  );
  return `<b>${t("review.findings.title")}</b>\n${items.map((x) => `• ${x}`).join("\n")}`;
}

/** The actions a coordinator can take on a statement in its status, on the version the card shows. */
export function whatNext(t: T, o: Pick<Outcome, "id" | "status" | "version" | "inDoubt">): View {
  const id = o.id;
  const buttons: Button[] = coordinatorActions(o.status).map((a) =>
    a === "classify"
      ? { text: t("review.actions.classify"), data: classify.data({ id, page: 0 }) }
      : { text: t(`review.actions.${a}`), data: reviewAction.data({ id, version: o.version, action: a }) },
  );
  if (o.status === "accepted") {
    buttons.push({ text: t(o.inDoubt ? "review.actions.not_in_doubt" : "review.actions.in_doubt"), data: inDoubt.data({ id, doubt: !o.inDoubt }) });
  }
  buttons.push(
    { text: t("review.actions.link"), data: linkStart.data({ id }) },
    { text: t("review.actions.joint"), data: contributorsOf.data({ id }) },
    { text: t("review.actions.questions"), data: questionsOf.data({ id }) },
    { text: t("review.actions.history"), data: statementHistory.data({ id }) },
    { text: t("review.actions.queue"), data: queuePage.data(QUEUE_START) },
  );
  return { text: t("review.what_next", { id, status: t(`status.${o.status}`) }), keyboard: keyboard(buttons, 2) };
}

/** What the coordinator sees after an action applied. */
export function actionDone(t: T, action: string, id: number): View {
  const buttons: Button[] = [];
  if (action === "accept") buttons.push({ text: t("review.actions.classify"), data: classify.data({ id, page: 0 }) });
  buttons.push({ text: t("review.actions.queue"), data: queuePage.data(QUEUE_START) });
  return { text: t(`review.done.${action}`, { id }), keyboard: keyboard(buttons) };
}

export function editWhich(t: T, id: number, version: number, fields: readonly string[]): View {
  return {
    text: t("review.edit_which", { id }),
    keyboard: keyboard(
      fields.map((f) => ({ text: t(`history.fields.${f}`), data: editField.data({ id, version, field: f }) })),
      2,
    ),
  };
}

/** The button of a notice about a statement: its card. */
export const openCardKeyboard = (t: T, id: number) => keyboard([{ text: t("review.open_button", { id }), data: openCard.data({ id }) }]);

/** The button under a message to the author about a coordinator's action: answer, revise, or open the statement. */
export function authorNoticeKeyboard(t: T, action: string, id: number, questionId?: number) {
  if (action === "ask" && questionId !== undefined)
    return keyboard([{ text: t("author.answer_button"), data: answerQuestionButton.data({ question: questionId }) }]);
  if (action === "return") return keyboard([{ text: t("author.revise_button", { id }), data: reviseStatement.data({ id }) }]);
  return keyboard([{ text: t("author.open_button", { id }), data: myStatement.data({ id }) }]);
}

/** Which question does what they sent answer? A button per open question (labels are plain text). */
export function whichQuestion(t: T, questions: Array<{ id: number; outcomeId: number; text: string | null }>): View {
  return {
    text: t("answers.which"),
    keyboard: keyboard(
      // A button's label is plain text, not HTML: the question goes in unescaped ({{- question}}).
      questions.map((q) => ({
        text: t("answers.which_button", { id: q.outcomeId, question: snippet(q.text, 40) }),
        data: pickQuestion.data({ question: q.id }),
      })),
    ),
  };
}

/** Statement numbers as the reader writes them ("#12, #15" / "លេខ ១២, លេខ ១៥"). */
export const refs = (t: T, ids: number[]) => ids.map((id) => t("format.ref", { id })).join(", ");

/** A statement's links to others, a line each; undefined when it has none. */
export function linksSection(t: T, links: Links): string | undefined {
  const lines = (
    [
      ["same_as", links.sameAs],
      ["duplicates", links.duplicates],
      ["led_to", links.ledTo],
      ["follows_from", links.followsFrom],
    ] as const
  )
    .filter(([, ids]) => ids.length)
    .map(([key, ids]) => t(`review.links.${key}`, { ids: refs(t, ids) }));
  return lines.length ? lines.join("\n") : undefined;
}

/** How two statements are linked: the three choices. */
export function linkChoices(t: T, id: number, other: number): View {
  return {
    text: t("review.link_which", { id, other }),
    keyboard: keyboard(
      LINK_CHOICES.map((choice) => ({ text: t(`review.link_choices.${choice}`, { id, other }), data: linkChoice.data({ id, other, choice }) })),
    ),
  };
}

/** The organisations that contributed to a joint outcome, as a line of its card. */
export const jointLine = (t: T, names: string[]) => (names.length ? t("review.joint", { orgs: names.join(", ") }) : undefined);

/** Which of the coordinator's organisations contributed to a statement: a switch each. */
export function contributorsView(t: T, id: number, orgs: Array<{ id: number; name: string }>, chosen: Set<number>): View {
  return {
    text: t("review.joint_which", { id }),
    keyboard: keyboard(
      orgs.map((g) => ({ text: `${chosen.has(g.id) ? "✅" : "▫️"} ${g.name}`, data: contributorToggle.data({ id, org: g.id, on: !chosen.has(g.id) }) })),
      2,
    ),
  };
}

/** Which harvesting questions a statement answers: a switch each. */
export function questionsView(t: T, id: number, questions: Array<{ id: number; text: string }>, chosen: Set<number>): View {
  return {
    text: t("review.questions_which", { id }),
    keyboard: keyboard(
      questions.map((q) => ({
        text: `${chosen.has(q.id) ? "✅" : "▫️"} ${snippet(q.text, 50)}`,
        data: questionToggle.data({ id, question: q.id, on: !chosen.has(q.id) }),
      })),
    ),
  };
}
