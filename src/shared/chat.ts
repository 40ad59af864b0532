/** Small helpers every feature's chat handlers share: the clock, the actor, a logged refusal. */
import { coordinatorScope, type Actor, type Scope } from "./access.js";
import type { BotContext } from "./context.js";

/** The time of this update: the deps' clock (tests set it), else now. */
export const now = (ctx: BotContext) => ctx.deps.now?.() ?? new Date();

/** The person acting, as the services take it. */
export const actorOf = (ctx: BotContext): Actor => ({ userId: ctx.user?.id, isAdmin: ctx.isAdmin });

/** What the person may see and act on as a coordinator (null: nothing). */
export function scopeOf(ctx: BotContext): Promise<Scope | null> {
  return coordinatorScope(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin);
}

/** Refuses an action outside the person's scope (or on forged data) and logs it. */
export async function refuse(ctx: BotContext, what: Record<string, unknown>) {
  ctx.log.warn({ user_id: ctx.user?.id, ...what }, "refused: outside the person's scope");
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
  else await ctx.reply(ctx.t("errors.not_allowed"));
}
