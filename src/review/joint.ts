/**
 * Joint outcomes: besides its lead organisation, a statement may name the organisations that
 * contributed to it. A coordinator names them among the organisations they coordinate; the
 * coordinators of each then see the statement, and each one's counts include it.
 */
import type { Db } from "../platform/db/client.js";
import { type Actor, coordinatorScope, inScope, organisationsIn, outcomeInScope } from "../shared/access.js";

export type ContributorResult = { status: "changed" | "unchanged" | "not_allowed" | "lead" };

export async function setContributor(prisma: Db, actor: Actor, input: { outcomeId: number; organisationId: number; on: boolean }): Promise<ContributorResult> {
  const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
  const o = await prisma.outcome.findFirst({ where: { id: input.outcomeId, discardedAt: null, status: { not: "draft" } }, include: { contributors: true } });
  if (!o || !outcomeInScope(scope, o) || !inScope(scope, input.organisationId)) return { status: "not_allowed" };
  if (o.organisationId === input.organisationId) return { status: "lead" };
  const key = { outcomeId: o.id, organisationId: input.organisationId };
  return prisma.$transaction(async (tx) => {
    // Compare-and-set: a double press, or two coordinators at once, change it once.
    const changed = input.on
      ? (await tx.outcomeOrganisation.createMany({ data: [key], skipDuplicates: true })).count
      : (await tx.outcomeOrganisation.deleteMany({ where: key })).count;
    if (!changed) return { status: "unchanged" as const };
    const org = await tx.organisation.findUniqueOrThrow({ where: { id: input.organisationId }, select: { name: true } });
    await tx.outcomeEvent.create({
      data: { outcomeId: o.id, actorId: actor.userId ?? null, type: input.on ? "contributor_added" : "contributor_removed", newValue: org.name },
    });
    return { status: "changed" as const };
  });
}

/** The organisations a coordinator may name as contributing (theirs, but the lead), and those named now. */
export async function contributorChoices(prisma: Db, actor: Actor, outcomeId: number) {
  const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
  const o = await prisma.outcome.findUnique({ where: { id: outcomeId }, include: { contributors: true } });
  if (!scope || !o || !outcomeInScope(scope, o)) return undefined;
  const orgs = (await organisationsIn(prisma, scope)).filter((g) => g.id !== o.organisationId);
  return { orgs, chosen: new Set(o.contributors.map((c) => c.organisationId)) };
}
