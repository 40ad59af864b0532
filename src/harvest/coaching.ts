/**
 * The coaching checks from the brief. Each finding becomes one concrete question; none blocks
 * submission. Word lists are per language; a statement is checked against every language's
 * list, because leaders mix languages and the interface language says little about the text.
 */
import type { Lang } from "../platform/i18n/index.js";

export const TEXT_PARTS = ["description", "significance", "contribution"] as const;
export type TextPart = (typeof TEXT_PARTS)[number];

export type CheckId = "date" | "actor" | "behaviour" | "place" | "number" | `detail.${TextPart}`;

export interface Finding {
  id: CheckId;
  /** Values for the question's placeholders. */
  params: Record<string, string>;
}

export interface DraftForChecks {
  description?: string | null;
  significance?: string | null;
  contribution?: string | null;
  actorName?: string | null;
  dateStart?: string | null;
  place?: string | null;
  peopleAffected?: number | null;
}

export interface CheckContext {
  organisationName: string;
  /** Parts answered by a voice note: their text cannot be checked. */
  voiceParts?: ReadonlySet<string>;
}

/** The partner speaking of itself: not a social actor. */
export const SELF_WORDS: Record<Lang, string[]> = {
  en: [
    "we",
    "us",
    "our",
    "ours",
    "i",
    "me",
    "myself",
    "our union",
    "our organisation",
    "our organization",
    "our group",
    "our association",
    "the union",
    "my union",
  ],
  km: ["យើង", "យើងខ្ញុំ", "ខ្ញុំ", "សហជីពយើង", "សហជីពរបស់យើង", "អង្គការយើង", "អង្គការរបស់យើង", "ក្រុមយើង", "សមាគមយើង"],
};

/** Activity verbs: what the partner did belongs in the contribution, not the description. */
export const ACTIVITY_WORDS: Record<Lang, string[]> = {
  en: [
    "we trained",
    "trained",
    "training",
    "organised",
    "organized",
    "held a meeting",
    "held meetings",
    "we met",
    "met with",
    "submitted",
    "campaigned",
    "campaign",
    "conducted",
    "workshop",
    "we distributed",
    "we held",
    "we organised",
    "we organized",
    "we submitted",
    "we advocated",
    "lobbied",
    "mobilised",
    "mobilized",
  ],
  km: ["បណ្តុះបណ្តាល", "បណ្ដុះបណ្ដាល", "ផ្តល់វគ្គ", "រៀបចំ", "បើកកិច្ចប្រជុំ", "ប្រជុំ", "ដាក់ញត្តិ", "ដាក់ពាក្យ", "យុទ្ធនាការ", "យើងបាន", "យើងខ្ញុំបាន", "សិក្ខាសាលា", "តស៊ូមតិ"],
};

/** Minimum length of a part that must stand alone: words for spaced scripts, characters for Khmer. */
export const MIN_WORDS = 12;
export const MIN_KHMER_CHARS = 60;

const KHMER = /[\u1780-\u17FF]/;
const norm = (s: string) => s.toLowerCase().normalize("NFC").replace(/\s+/g, " ").trim();
const all = (lists: Record<Lang, string[]>) => Object.values(lists).flat();

function containsWord(text: string, word: string): boolean {
  if (KHMER.test(word)) return text.includes(word); // Khmer is written without spaces between words
  return new RegExp(`(^|[^\\p{L}])${word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\p{L}])`, "u").test(text);
}

export function isSelf(actor: string, organisationName: string): boolean {
  const a = norm(actor);
  const org = norm(organisationName);
  if (!a) return true;
  if (org && (a === org || a.includes(org) || (a.length >= 4 && org.includes(a)))) return true;
  return all(SELF_WORDS).some((w) => a === w);
}

/**
 * The activity word when the description tells what the partner itself did ("we trained ...",
 * "the union organised ..."): an activity verb within a few words after the partner as subject.
 * "lists submitted through the union" is not flagged: there the actor is the subject.
 */
export function activityWord(description: string, organisationName = ""): string | undefined {
  const d = norm(description);
  const subjects = [...all(SELF_WORDS).filter((w) => w.length > 1), norm(organisationName)].filter(Boolean);
  for (const word of all(ACTIVITY_WORDS)) {
    if (!containsWord(d, word)) continue;
    if (KHMER.test(word)) {
      const at = d.indexOf(word);
      if (subjects.some((s) => KHMER.test(s) && d.slice(Math.max(0, at - 25), at).includes(s))) return word;
      continue;
    }
    const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const subject = subjects
      .filter((s) => !KHMER.test(s))
      .map(esc)
      .join("|");
    const re = new RegExp(`(^|[^\\p{L}])(${subject})\\s+(\\S+\\s+){0,3}${esc(word)}($|[^\\p{L}])`, "u");
    if (re.test(d) || d.startsWith(word)) return word;
  }
  return undefined;
}

export function isTooShort(text: string): boolean {
  const s = norm(text);
  if (KHMER.test(s)) return s.replace(/\s/g, "").length < MIN_KHMER_CHARS;
  return s.split(" ").filter(Boolean).length < MIN_WORDS;
}

const hasNumber = (s: string | null | undefined) => /[0-9០-៩]/.test(s ?? "");

/** Runs every check; returns the findings in the order they are asked. */
export function runChecks(d: DraftForChecks, c: CheckContext): Finding[] {
  const findings: Finding[] = [];
  const voice = c.voiceParts ?? new Set<string>();
  if (!d.dateStart) findings.push({ id: "date", params: {} });
  if (!d.actorName || isSelf(d.actorName, c.organisationName)) {
    findings.push({ id: "actor", params: { org: c.organisationName } });
  }
  const word = d.description ? activityWord(d.description, c.organisationName) : undefined;
  if (word) findings.push({ id: "behaviour", params: { word, actor: d.actorName ?? "" } });
  if (!d.place || norm(d.place).length < 2) findings.push({ id: "place", params: {} });
  if (d.peopleAffected == null && !hasNumber(d.description) && !hasNumber(d.significance) && !hasNumber(d.contribution)) {
    findings.push({ id: "number", params: {} });
  }
  for (const part of TEXT_PARTS) {
    const text = d[part];
    if (voice.has(part) && !text) continue;
    if (!text || isTooShort(text)) findings.push({ id: `detail.${part}`, params: { part } });
  }
  return findings;
}

/**
 * What makes a draft an "outcome lead" rather than a statement, as practitioners say: it still
 * lacks a date, a social actor (other than the organisation itself), a place or a specific
 * contribution. Worked out from the statement each time it is shown, so the list is always true
 * and empties as the author completes it.
 */
export const LEAD_CHECKS = ["date", "actor", "place", "detail.contribution"] as const satisfies readonly CheckId[];
export type LeadGap = (typeof LEAD_CHECKS)[number];

export function leadGaps(d: DraftForChecks, c: CheckContext): LeadGap[] {
  return gapsIn(runChecks(d, c));
}

/** The lead's gaps among findings already worked out (a card shows both). */
export function gapsIn(findings: Finding[]): LeadGap[] {
  const found = new Set(findings.map((f) => f.id));
  return LEAD_CHECKS.filter((id) => found.has(id));
}

/** What to load with a statement row to tell its gaps: its organisation's name and the parts answered by voice. */
export const LEAD_INCLUDE = { organisation: { select: { name: true } }, evidence: { where: { kind: "voice" }, select: { part: true } } } as const;

/** The gaps of a statement row loaded with LEAD_INCLUDE. */
export function leadGapsOfRow(o: DraftForChecks & { organisation: { name: string }; evidence: Array<{ part: string }> }): LeadGap[] {
  return leadGaps(o, { organisationName: o.organisation.name, voiceParts: new Set(o.evidence.map((e) => e.part)) });
}
