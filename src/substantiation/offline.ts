/**
 * Answers a source gave offline (by phone, in an interview), as a coordinator types them: the
 * source's name on the first line, then a line per part, "part: level", and after a dash any
 * comment. Parts and levels are read in every language the bot speaks, or as their keys:
 *
 *   Ms Srey, salt cooperative
 *   What changed: fully agree
 *   Why it matters: partially agree - she thinks fewer workers were reached
 *   What the partner contributed: don't know
 *
 * Pure: text in, answers or what is wrong out.
 */
import { translator } from "../platform/i18n/index.js";
import { choiceWords, looseWord } from "../shared/text.js";
import { LEVELS, type Level, PARTS, type Part } from "./results.js";

export interface OfflineAnswers {
  label: string;
  answers: Array<{ part: Part; level: Level; comment?: string }>;
}

export type OfflineProblem =
  | { code: "no_source" }
  | { code: "unreadable_line"; line: string }
  | { code: "missing_part"; part: Part }
  | { code: "twice"; part: Part };

const PART_WORDS = choiceWords(PARTS, (p, lang) => [translator(lang)(`source.parts.${p}`)]);
const LEVEL_WORDS = choiceWords(LEVELS, (v, lang) => [translator(lang)(`source.levels.${v}`), translator(lang)(`results.${v}`)]);

export function readOfflineAnswers(text: string): { ok: true; value: OfflineAnswers } | { ok: false; problems: OfflineProblem[] } {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const [label, ...rest] = lines;
  const problems: OfflineProblem[] = [];
  if (!label || rest.length === 0) return { ok: false, problems: [{ code: "no_source" }] };
  const answers: OfflineAnswers["answers"] = [];
  for (const line of rest) {
    const m = /^([^:៖]+)[:៖]\s*(.+)$/.exec(line);
    const part = m ? PART_WORDS.get(looseWord(m[1]!)) : undefined;
    const [levelText, ...comment] = m ? m[2]!.split(/\s+[-–—]\s+/) : [];
    const level = levelText ? LEVEL_WORDS.get(looseWord(levelText)) : undefined;
    if (!part || !level) {
      problems.push({ code: "unreadable_line", line });
      continue;
    }
    if (answers.some((a) => a.part === part)) problems.push({ code: "twice", part });
    else answers.push({ part, level, ...(comment.length ? { comment: comment.join(" - ") } : {}) });
  }
  for (const part of PARTS)
    if (!answers.some((a) => a.part === part) && !problems.some((p) => "part" in p && p.part === part)) problems.push({ code: "missing_part", part });
  return problems.length ? { ok: false, problems } : { ok: true, value: { label, answers } };
}
