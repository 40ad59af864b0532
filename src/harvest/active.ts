import type { BotContext } from "../shared/context.js";

/**
 * Whether the person is in the middle of a statement: a draft is open for them (between answers
 * no run of the conversation is open, see conversation.ts), or its conversation is waiting.
 */
export async function inHarvest(ctx: BotContext): Promise<boolean> {
  return Boolean(ctx.user?.activeOutcomeId) || Boolean(await ctx.conversation.active("harvest"));
}
