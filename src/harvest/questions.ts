/**
 * Harvesting questions: a round can carry the few questions the programme wants answered.
 * Coordinators tag statements to them (statements in their scope, questions of a round that
 * covers the statement's organisation); digests and exports group by them.
 */
import type { Db } from "../platform/db/client.js";
import type { Prisma } from "../generated/prisma/client.js";
import { type Actor, coordinatorScope, outcomeInScope } from "../shared/access.js";

export async function addQuestion(prisma: Db, input: { roundId: number; text: string }) {
  const round = await prisma.harvestRound.findUnique({ where: { id: input.roundId }, include: { questions: true } });
  if (!round) return undefined;
  return prisma.harvestQuestion.create({ data: { roundId: round.id, text: input.text, position: round.questions.length + 1 } });
}

/** The questions a coordinator may tag a statement to, and those it is tagged to; undefined outside their scope. */
export async function questionChoices(prisma: Db, actor: Actor, outcomeId: number) {
  const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
  const o = await prisma.outcome.findFirst({
    where: { id: outcomeId, discardedAt: null, status: { not: "draft" } },
    include: { contributors: true, questions: true },
  });
  if (!o || !outcomeInScope(scope, o)) return undefined;
  const orgs = [o.organisationId, ...o.contributors.map((c) => c.organisationId)];
  const questions = await prisma.harvestQuestion.findMany({
    where: { round: { OR: [{ organisationIds: { isEmpty: true } }, { organisationIds: { hasSome: orgs } }] } },
    orderBy: [{ roundId: "asc" }, { position: "asc" }, { id: "asc" }],
  });
  return { questions, chosen: new Set(o.questions.map((q) => q.questionId)) };
}

export async function setQuestionTag(prisma: Db, actor: Actor, input: { outcomeId: number; questionId: number; on: boolean }) {
  const choices = await questionChoices(prisma, actor, input.outcomeId);
  const question = choices?.questions.find((q) => q.id === input.questionId);
  if (!choices || !question) return "not_allowed" as const;
  const key = { outcomeId: input.outcomeId, questionId: question.id };
  return prisma.$transaction(async (tx) => {
    // Compare-and-set: a double press tags once.
    const changed = input.on
      ? (await tx.outcomeQuestion.createMany({ data: [key], skipDuplicates: true })).count
      : (await tx.outcomeQuestion.deleteMany({ where: key })).count;
    if (!changed) return "unchanged" as const;
    await tx.outcomeEvent.create({
      data: { outcomeId: input.outcomeId, actorId: actor.userId ?? null, type: input.on ? "question_tagged" : "question_untagged", newValue: question.text },
    });
    return "changed" as const;
  });
}

/** How many of the given statements answer each question (questions with none left out). */
export async function perQuestion(prisma: Db | Prisma.TransactionClient, where: Prisma.OutcomeWhereInput) {
  const tags = await prisma.outcomeQuestion.findMany({ where: { outcome: where }, include: { question: true }, orderBy: { questionId: "asc" } });
  const by = new Map<number, { text: string; ids: number[] }>();
  for (const t of tags) {
    const entry = by.get(t.questionId) ?? { text: t.question.text, ids: [] };
    entry.ids.push(t.outcomeId);
    by.set(t.questionId, entry);
  }
  return [...by.values()].map((q) => ({ ...q, ids: q.ids.sort((a, b) => a - b) }));
}
