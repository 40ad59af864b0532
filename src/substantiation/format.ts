import type { BotContext } from "../shared/context.js";
import { progressFor, progressMap } from "./service.js";

/** "Substantiation: in progress, 1 of 2 sources answered", or undefined when it was not chosen. */
export async function substantiationSection(ctx: BotContext, outcomeId: number, withSuggestions: boolean): Promise<string | undefined> {
  const p = await progressFor(ctx.deps.prisma, outcomeId);
  const parts: string[] = [];
  if (p) {
    parts.push(
      `<b>${ctx.t("substantiation.title")}</b>: ${ctx.t("substantiation.progress", {
        state: ctx.t(`substantiation.states.${p.state}`),
        answered: p.answered,
        sources: p.sources,
      })}`,
    );
  }
  if (withSuggestions) {
    const suggestions = await ctx.deps.prisma.substantiatorSuggestion.findMany({ where: { outcomeId }, orderBy: { id: "asc" } });
    if (suggestions.length) {
      const lines = suggestions.map((s) =>
        ctx.t("substantiation.suggestion", { name: s.name, role: s.role ?? "—", relation: s.relation ?? "—", contact: s.contact ?? "—" }),
      );
      parts.push(`<b>${ctx.t("substantiation.suggestions_title")}</b>\n${lines.join("\n")}`);
    }
  }
  return parts.length ? parts.join("\n\n") : undefined;
}

/** A short line for lists: "🔎 substantiation in progress, 1/2", per chosen statement. */
export async function substantiationTags(ctx: BotContext, outcomeIds: number[]): Promise<Map<number, string>> {
  const map = await progressMap(ctx.deps.prisma, outcomeIds);
  return new Map(
    [...map].map(([id, p]) => [
      id,
      ctx.t("substantiation.tag", { state: ctx.t(`substantiation.states.${p.state}`), answered: p.answered, sources: p.sources }),
    ]),
  );
}
