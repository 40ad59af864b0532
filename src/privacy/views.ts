/** What /privacy shows: the person's stored data, and the deletion's questions. */
import { formatDay } from "../platform/i18n/format.js";
import { isLang, type Lang, type T } from "../platform/i18n/index.js";
import { keyboard } from "../platform/telegram/keyboard.js";
import { askDelete, confirmDelete, keepData } from "./callbacks.js";
import type { PersonalData } from "./service.js";

export function nothingStored(t: T, telegramId: number) {
  return { text: t("privacy.nothing", { id: telegramId }) };
}

/** What the bot stores about the person; the delete button only for someone who may delete. */
export function personalDataView(t: T, lang: Lang, timeZone: string, d: PersonalData, mayDelete: boolean) {
  const { user } = d;
  const lines = [
    t("privacy.title"),
    "",
    t("privacy.identity", { id: Number(user.telegramId), name: user.displayName, username: user.username ? `@${user.username}` : "—" }),
    t("privacy.language", { language: isLang(user.language) ? t(`languages.${user.language}`) : "—" }),
    t("privacy.consent", { date: user.consentAt ? formatDay(user.consentAt, lang, timeZone) : "—" }),
    t("privacy.memberships", {
      list: d.memberships.length
        ? d.memberships.map((m) => `${m.organisation} (${t(`roles.${m.role}`)}${m.active ? "" : `, ${t("privacy.inactive")}`})`).join(", ")
        : "—",
    }),
    t("privacy.statements", {
      count: d.statements.reduce((n, s) => n + s.count, 0),
      detail: d.statements.map((s) => t("privacy.status_count", { status: t(`status.${s.status}`), n: s.count })).join(", ") || "—",
    }),
    t("privacy.evidence", { count: d.evidence }),
    t("privacy.thread", { count: d.thread }),
    t("privacy.assignments", { count: d.assignments }),
    t("privacy.digest", { value: d.digest ? t(`digest.frequency.${d.digest}`) : "—" }),
    "",
    t("privacy.purpose"),
  ];
  return {
    text: lines.join("\n"),
    keyboard: mayDelete ? keyboard([{ text: t("privacy.delete_button"), data: askDelete.data({}) }]) : undefined,
  };
}

export function confirmDeletion(t: T) {
  return {
    text: t("privacy.confirm"),
    keyboard: keyboard([
      { text: t("privacy.confirm_yes"), data: confirmDelete.data({}) },
      { text: t("privacy.confirm_no"), data: keepData.data({}) },
    ]),
  };
}
