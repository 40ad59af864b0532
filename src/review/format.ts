import type { ThreadMessage, User } from "../generated/prisma/client.js";
import type { Lang, T } from "../platform/i18n/index.js";
import { formatTime } from "../platform/i18n/format.js";
import { escapeHtml } from "../platform/telegram/html.js";
import { personName } from "../shared/users.js";
import { fileIcon } from "./service.js";

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

const clip = (s: string | null, n: number) => {
  if (s === null) return "";
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};
export const snippet = (s: string | null, n = 60) => clip(s, n);

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
