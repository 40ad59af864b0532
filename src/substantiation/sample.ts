/**
 * Proposes which accepted statements to substantiate, with the last evaluation's criteria:
 * at least 20%, favouring the most significant, the highest contribution and those in doubt,
 * with at least one about gender and power relations and one per results-framework item.
 */
import type { T } from "../platform/i18n/index.js";

export interface Candidate {
  id: number;
  /** Classified as of high significance. */
  significant: boolean;
  /** The partner's contribution was essential ("would not have happened without it"). */
  essential: boolean;
  inDoubt: boolean;
  /** Classified under at least one gender justice criterion. */
  gender: boolean;
  /** Results-framework items it contributes to (option keys, e.g. "SO", "R1"). */
  framework: string[];
}

/** "quota": picked to reach the share, meeting no other criterion. */
export type Reason = "significant" | "essential" | "in_doubt" | "gender" | "quota" | `framework:${string}`;

export interface Pick {
  id: number;
  /** Why it was picked: the criterion it was picked for first, then every other one it meets. */
  reasons: Reason[];
}

export const DEFAULT_FRACTION = 0.2;

/** Why a statement was chosen, in words ("results framework R1", "in doubt"). */
export function reasonLabel(t: T, reason: string): string {
  if (reason.startsWith("framework:")) return t("substantiation.reasons.framework", { item: reason.slice("framework:".length) });
  return t(`substantiation.reasons.${reason}`, { defaultValue: reason });
}

const score = (c: Candidate) => (c.inDoubt ? 4 : 0) + (c.significant ? 2 : 0) + (c.essential ? 2 : 0) + (c.gender ? 1 : 0);

/** Best first: in doubt, significant, essential, gender; then more framework items; then the older statement. */
const better = (a: Candidate, b: Candidate) => score(b) - score(a) || b.framework.length - a.framework.length || a.id - b.id;

function meets(c: Candidate): Reason[] {
  const r: Reason[] = [];
  if (c.significant) r.push("significant");
  if (c.essential) r.push("essential");
  if (c.inDoubt) r.push("in_doubt");
  if (c.gender) r.push("gender");
  for (const f of c.framework) r.push(`framework:${f}`);
  return r;
}

/**
 * The proposed sample: at least `fraction` of the candidates (rounded up, at least one), more when
 * covering gender and every framework item needs it. `frameworkItems` lists the items to cover.
 */
export function proposeSample(candidates: Candidate[], frameworkItems: string[], fraction = DEFAULT_FRACTION): Pick[] {
  if (candidates.length === 0) return [];
  const ranked = [...candidates].sort(better);
  const target = Math.max(1, Math.ceil(candidates.length * fraction));
  const picked = new Map<number, Reason>();
  const take = (c: Candidate | undefined, why: Reason) => {
    if (c && !picked.has(c.id)) picked.set(c.id, why);
  };
  const isPicked = (pred: (c: Candidate) => boolean) => ranked.some((c) => picked.has(c.id) && pred(c));

  // First the best-ranked (in doubt, significant, essential) until the share is reached.
  for (const c of ranked) {
    if (picked.size >= target) break;
    take(c, meets(c)[0] ?? "quota");
  }
  // Then coverage: one about gender, one per framework item (the best-ranked that qualifies).
  if (!isPicked((c) => c.gender))
    take(
      ranked.find((c) => c.gender),
      "gender",
    );
  for (const item of frameworkItems) {
    if (!isPicked((c) => c.framework.includes(item)))
      take(
        ranked.find((c) => c.framework.includes(item)),
        `framework:${item}`,
      );
  }
  return ranked
    .filter((c) => picked.has(c.id))
    .sort((a, b) => a.id - b.id)
    .map((c) => {
      const first = picked.get(c.id)!;
      return { id: c.id, reasons: [first, ...meets(c).filter((r) => r !== first)] };
    });
}
