/**
 * A leader names people who could confirm their statement: name, role or organisation, how they
 * know about the change, how to reach them. One question at a time; each answer is kept as it
 * arrives (in the pending input), the suggestion is stored with the last one.
 */
import type { InputRoutes } from "../shared/typed-input.js";
import { LIMITS } from "../harvest/steps.js";
import { onButton } from "../platform/telegram/callbacks.js";
import { skipSuggestionStep, suggestSources } from "./callbacks.js";
import { Composer } from "grammy";
import { refuse } from "../shared/chat.js";
import { readPending, setPending, type Pending } from "../shared/pending.js";
import type { BotContext } from "../shared/context.js";
import { keyboard } from "../platform/telegram/keyboard.js";

type Suggest = Extract<Pending, { kind: "suggest" }>;
const NEXT: Record<Suggest["step"], Suggest["step"] | undefined> = { name: "role", role: "relation", relation: "contact", contact: undefined };

async function ownStatement(ctx: BotContext, outcomeId: number) {
  const o = await ctx.deps.prisma.outcome.findFirst({ where: { id: outcomeId, authorId: ctx.user!.id, discardedAt: null } });
  if (!o) await refuse(ctx, { outcome_id: outcomeId, what: "suggest" });
  return o ?? undefined;
}

async function ask(ctx: BotContext, outcomeId: number, step: Suggest["step"]) {
  await ctx.reply(ctx.t(`suggest.ask_${step}`, { id: outcomeId }), {
    reply_markup: step === "name" ? undefined : keyboard([{ text: ctx.t("suggest.skip"), data: skipSuggestionStep.data({ id: outcomeId }) }]),
  });
}

/** Applies one answer (undefined: skipped) and asks the next question, or stores the suggestion. */
async function advance(ctx: BotContext, p: Suggest, value: string | undefined) {
  const draft = { ...p.draft, [p.step]: value };
  const next = NEXT[p.step];
  if (next) {
    await setPending(ctx, { kind: "suggest", outcomeId: p.outcomeId, step: next, draft });
    return ask(ctx, p.outcomeId, next);
  }
  const s = await ctx.deps.prisma.substantiatorSuggestion.create({
    data: {
      outcomeId: p.outcomeId,
      suggestedById: ctx.user!.id,
      name: draft.name!,
      role: draft.role ?? null,
      relation: draft.relation ?? null,
      contact: (draft as { contact?: string }).contact ?? null,
    },
  });
  await setPending(ctx, null);
  ctx.log.info({ outcome_id: p.outcomeId, suggestion_id: s.id }, "substantiator suggested");
  await ctx.reply(ctx.t("suggest.saved", { id: p.outcomeId, name: s.name }), {
    reply_markup: keyboard([{ text: ctx.t("suggest.another"), data: suggestSources.data({ id: p.outcomeId }) }]),
  });
}

async function suggestStep(ctx: BotContext, p: Suggest, text: string) {
  if (!(await ownStatement(ctx, p.outcomeId))) return setPending(ctx, null);
  await advance(ctx, p, text);
}

export function suggestionsFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  onButton(c, suggestSources, async (ctx, { id }) => {
    const o = await ownStatement(ctx, id);
    if (!o) return;
    await ctx.answerCallbackQuery();
    await setPending(ctx, { kind: "suggest", outcomeId: o.id, step: "name", draft: {} });
    await ask(ctx, o.id, "name");
  });
  onButton(c, skipSuggestionStep, async (ctx, { id }) => {
    const p = readPending(ctx.user?.pendingInput);
    if (p?.kind !== "suggest" || p.outcomeId !== id || p.step === "name") {
      return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    }
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    await advance(ctx, p, undefined);
  });
  return c;
}

/** The author's answers to "who could confirm this change?", one question at a time. */
export const suggestionInputRoutes: InputRoutes = {
  suggest: { limit: LIMITS.short, handle: (ctx, p, { text }) => suggestStep(ctx, p, text!) },
};
