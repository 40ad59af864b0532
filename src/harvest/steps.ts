/** The harvest steps, in the order they are asked, and how editing one part returns to the summary. */
export const STEPS = [
  "description",
  "description_more",
  "actor_name",
  "actor_type",
  "date",
  "date_era",
  "date_confirm",
  "place",
  "significance",
  "significance_more",
  "contribution",
  "contribution_more",
  "people",
  "women",
  "expected",
  "positive",
  "evidence",
  "coaching",
  "review",
] as const;
export type Step = (typeof STEPS)[number];
export const isStep = (s: unknown): s is Step => typeof s === "string" && (STEPS as readonly string[]).includes(s);

/** Parts the author can edit from the summary, and the steps that ask them. */
export const EDIT_PARTS: Record<string, Step[]> = {
  description: ["description", "description_more"],
  actor: ["actor_name", "actor_type"],
  date: ["date", "date_era", "date_confirm"],
  place: ["place"],
  significance: ["significance", "significance_more"],
  contribution: ["contribution", "contribution_more"],
  numbers: ["people", "women"],
  nature: ["expected", "positive"],
  evidence: ["evidence"],
};

export const ACTOR_TYPES = ["workers", "partner", "government", "cso", "grassroots", "company", "public"] as const;

/** Limits for free text, in characters. */
export const LIMITS = { long: 4000, short: 200 } as const;

/**
 * A long part may continue over several messages: an answer this long (or a longer text a
 * Telegram client split into several messages) is followed by "Is there more?", where the next
 * messages are added to the part until the person presses "That's all".
 */
export const CONTINUE_AT = 3000;
export const LONG_PARTS = ["description", "significance", "contribution"] as const;
export type LongPart = (typeof LONG_PARTS)[number];
export const moreStep = (part: LongPart) => `${part}_more` as const;

/** The step after `step`. Once the summary was seen, finishing an edited part goes back to it (through coaching). */
export function nextStep(step: Step, reviewReached: boolean): Step {
  if (reviewReached) {
    const group = Object.values(EDIT_PARTS).find((g) => g.includes(step));
    if (group && group[group.length - 1] !== step) return group[group.indexOf(step) + 1]!;
    return "coaching";
  }
  const i = STEPS.indexOf(step);
  return STEPS[Math.min(i + 1, STEPS.length - 1)]!;
}
