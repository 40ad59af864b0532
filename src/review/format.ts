import type { OutcomeEvent, ThreadMessage, User } from "../generated/prisma/client.js";
import type { T } from "../i18n/index.js";
import { reasonLabel } from "../substantiation/sample.js";
import { escapeHtml } from "../telegram/html.js";
import { personName } from "../privacy/composer.js";

/** "2026-11-25 14:05" in the programme's time zone. */
export function formatTime(d: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(d);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

/** How long something has waited: "3 days", "5 hours". */
export function waited(since: Date | null, now: Date, t: T): string {
  if (!since) return "";
  const hours = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 3_600_000));
  if (hours < 48) return t("review.waited_hours", { count: hours, n: hours });
  const days = Math.floor(hours / 24);
  return t("review.waited_days", { count: days, n: days });
}

const clip = (s: string | null, n: number) => {
  if (s === null) return "";
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};
export const snippet = (s: string | null, n = 60) => clip(s, n);

/** A file in the thread: "🎤 voice note", "📷 photo", "📎 file". */
export function fileLabel(kind: string | null, t: T): string {
  const k = kind ?? "voice";
  const icon = k === "voice" ? "🎤" : k === "photo" ? "📷" : "📎";
  return `${icon} <i>${t(`thread.files.${k === "voice" || k === "photo" ? k : "file"}`)}</i>`;
}

/** The review thread: questions, answers, notes and reasons, oldest first. */
export function renderThread(messages: Array<ThreadMessage & { author: User }>, t: T, timeZone: string): string | undefined {
  if (messages.length === 0) return undefined;
  const lines = messages.map((m) => {
    const file = m.fileId ? fileLabel(m.fileKind, t) : "";
    const body = [m.text ? escapeHtml(m.text) : "", file].filter(Boolean).join("\n");
    const flag = m.delivered === false ? ` ⚠️ ${t("review.undelivered_flag")}` : "";
    const open = m.kind === "question" && !m.answeredAt ? ` ⏳ ${t("review.unanswered_flag")}` : "";
    return `${t(`thread.${m.kind}`, { name: personName(m.author, t), time: formatTime(m.createdAt, timeZone) })}${flag}${open}\n${body}`;
  });
  return `<b>${t("thread.title")}</b>\n${lines.join("\n\n")}`;
}

/** One line of /history. Values are shortened; the full text stays in the log. */
export function renderEvent(e: OutcomeEvent & { actor: User | null }, t: T, timeZone: string): string {
  const who = e.actor ? personName(e.actor, t) : t("history.system");
  const field = e.field ? (t(`history.fields.${e.field}`, { defaultValue: e.field }) as string) : "";
  const status = (v: string | null) => (v ? t(`status.${v}`, { defaultValue: v }) : "—");
  const reasons = (v: string | null) =>
    (v ?? "")
      .split(",")
      .filter(Boolean)
      .map((r) => reasonLabel(t, r))
      .join("; ");
  const params = {
    time: formatTime(e.createdAt, timeZone),
    who,
    field,
    old: e.type === "status_changed" ? status(e.oldValue) : clip(e.oldValue, 80) || "—",
    new: e.type === "status_changed" ? status(e.newValue) : e.type === "substantiation_requested" ? reasons(e.newValue) : clip(e.newValue, 80) || "—",
  };
  return t(`history.types.${e.type}`, { ...params, defaultValue: t("history.types.other", { ...params, type: e.type }) });
}
