/**
 * The event log in words: the same sentences in /history and in the export's event sheet, in
 * the reader's language, with every stored code (statuses, actor types, yes/no, dimension and
 * option keys, date kinds, coaching checks) shown as the reader's words. Pure functions but for
 * eventLabels, which reads the classification's labels once.
 */
import type { Db } from "../platform/db/client.js";
import type { OutcomeEvent, User } from "../generated/prisma/client.js";
import { formatDate, ymFromString } from "../harvest/dates.js";
import { digits, formatTime } from "../platform/i18n/format.js";
import type { Lang, T } from "../platform/i18n/index.js";
import { personName } from "../shared/users.js";
import { reasonLabel } from "../substantiation/sample.js";
import { label, loadDimensions } from "../classification/service.js";

/** Labels of the classification's dimensions and options (by key), in one language. */
export interface EventLabels {
  dimensions: Map<string, string>;
  options: Map<string, string>;
}

export async function eventLabels(prisma: Db, lang: Lang): Promise<EventLabels> {
  const dims = await loadDimensions(prisma, { includeInactive: true });
  return {
    dimensions: new Map(dims.map((d) => [d.key, label(d, lang)])),
    options: new Map(dims.flatMap((d) => d.options.map((o) => [`${d.key}:${o.key}`, label(o, lang)] as const))),
  };
}

const clip = (s: string, n: number) => {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

export type LoggedEvent = OutcomeEvent & { actor: Pick<User, "displayName" | "deletedAt"> | null };

/** What one stored value means, for the reader (values are clipped to `max` characters). */
function shownValue(e: LoggedEvent, v: string | null, t: T, lang: Lang, labels: EventLabels, max: number): string {
  if (v === null || v === "") return "—";
  const yesNo = (x: string) => t(x === "true" ? "format.yes" : "format.no");
  switch (e.type) {
    case "status_changed":
      return t(`status.${v}`, { defaultValue: v });
    case "substantiation_requested":
      return v
        .split(",")
        .filter(Boolean)
        .map((r) => reasonLabel(t, r))
        .join("; ");
    case "classified":
      return v
        .split(",")
        .filter(Boolean)
        .map((k) => labels.options.get(`${e.field}:${k}`) ?? k)
        .join(", ");
    case "in_doubt":
      return yesNo(v);
    case "asked_unexpected":
      return t(v === "yes" ? "format.yes" : "format.no");
    case "evidence_added":
      return t(`history.kinds.${v}`, { defaultValue: v });
    case "link_same":
    case "link_same_by":
    case "link_led_to":
    case "link_led_from": {
      const id = /^#(\d+)$/.exec(v)?.[1];
      return id ? t("format.ref", { id: Number(id) }) : v;
    }
    case "source_invited":
    case "source_opened":
    case "source_refused":
    case "source_answered":
    case "source_recorded":
    case "source_declined": {
      const n = /^source #(\d+)$/.exec(v)?.[1];
      return n ? t("history.source", { n: Number(n) }) : v;
    }
  }
  switch (e.field) {
    case "actorType":
      return t(`actor_types.${v}`, { defaultValue: v });
    case "expected":
    case "positive":
      return yesNo(v);
    case "dateKind":
      return t(`history.date_kinds.${v}`, { defaultValue: v });
    case "dateStart":
    case "dateEnd": {
      const ym = ymFromString(v);
      return formatDate({ kind: ym.month ? "month" : "year", start: ym }, lang);
    }
    case "peopleAffected":
    case "womenAffected":
      return digits(lang, v);
    case "coachingHandled":
      return v
        .split(",")
        .filter(Boolean)
        .map((id) => (id.startsWith("detail.") ? t(`parts.${id.slice(7)}`) : t(`history.checks.${id}`, { defaultValue: id })))
        .join(", ");
  }
  return clip(v, max);
}

/** Which field or thing an event is about, in words. */
function fieldOf(e: LoggedEvent, t: T, labels: EventLabels): string {
  if (!e.field) return "";
  if (e.type === "classified") return labels.dimensions.get(e.field) ?? e.field;
  if (e.type === "evidence_added") return e.field === "evidence" ? t("format.evidence") : t(`parts.${e.field}`, { defaultValue: e.field });
  if (e.type === "not_delivered") return t(`history.thread_kinds.${e.field}`, { defaultValue: e.field });
  if (e.type === "source_refused") return t(`history.refused.${e.field}`, { defaultValue: e.field });
  if (e.type === "answer") return "";
  return t(`history.fields.${e.field}`, { defaultValue: e.field });
}

/**
 * A translator that remembers the strings it looked up without values (labels of statuses,
 * fields, kinds): an export words thousands of events with the same few labels.
 */
export function rememberingT(t: T): T {
  const seen = new Map<string, string>();
  return (key, params) => {
    const plain = params === undefined || (Object.keys(params).length === 1 && "defaultValue" in params);
    if (!plain) return t(key, params);
    const k = `${key}\u0000${params?.defaultValue ?? ""}`;
    let v = seen.get(k);
    if (v === undefined) {
      v = t(key, params);
      seen.set(k, v);
    }
    return v;
  };
}

/** The parts of an event in words: who, which field, old and new value (HTML-escaped by t()). */
export function eventParts(e: LoggedEvent, t: T, lang: Lang, labels: EventLabels, max = 80) {
  return {
    who: e.actor ? personName(e.actor, t) : t("history.system"),
    field: fieldOf(e, t, labels),
    old: shownValue(e, e.oldValue, t, lang, labels, max),
    new: shownValue(e, e.newValue, t, lang, labels, max),
  };
}

/** "Dara changed the status: Submitted → Accepted": the event as a sentence (safe HTML). */
export function describeEvent(e: LoggedEvent, t: T, lang: Lang, labels: EventLabels, max = 80): string {
  const params = eventParts(e, t, lang, labels, max);
  return t(`history.types.${e.type}`, { ...params, defaultValue: t("history.types.other", { ...params, type: e.type }) });
}

/** One line of /history: the time in the programme's time zone, then the sentence. */
export function historyLine(e: LoggedEvent, t: T, lang: Lang, timeZone: string, labels: EventLabels): string {
  return t("history.line", { time: formatTime(e.createdAt, timeZone, lang), what: describeEvent(e, t, lang, labels) });
}
