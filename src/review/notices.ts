/** Messages to people other than the sender: the author of a statement, or its reviewers. */
import type { BotContext } from "../shared/context.js";
import { keyboard } from "../platform/telegram/keyboard.js";
import { notify } from "../platform/telegram/notify.js";

/** Tells the coordinators who last acted on a statement (asked, returned) that the author did something. */
export async function tellReviewers(ctx: BotContext, outcomeId: number, key: string, params: Record<string, unknown> = {}) {
  const { prisma } = ctx.deps;
  const o = await prisma.outcome.findUnique({ where: { id: outcomeId } });
  if (!o) return;
  const last = await prisma.outcomeEvent.findFirst({
    where: { outcomeId, type: { in: ["question", "return_note", "status_changed"] }, actorId: { not: o.authorId } },
    orderBy: { id: "desc" },
    include: { actor: true },
  });
  if (!last?.actor) return;
  await notify(ctx.deps.prisma, last.actor, key, { id: outcomeId, author: ctx.user?.displayName ?? "", ...params }, (t) =>
    keyboard([{ text: t("review.open_button", { id: outcomeId }), data: `rv:o:${outcomeId}` }]),
  );
}
