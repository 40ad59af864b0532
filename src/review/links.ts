/**
 * Links between statements, made by coordinators: the same change reported twice (a duplicate
 * from another source, kept with both texts and counted once: the one marked "same as" another is
 * left out of counts), or one change that led to another (a chain). Both statements must be in
 * the coordinator's scope; each link is logged on both.
 */
import { type Db, isUniqueViolation } from "../platform/db/client.js";
import { type Actor, coordinatorScope, outcomeInScope } from "../shared/access.js";
import type { LinkChoice } from "./callbacks.js";

export type LinkResult = { status: "linked" | "not_allowed" | "itself" | "already" | "already_same" };

export async function linkStatements(prisma: Db, actor: Actor, input: { id: number; other: number; choice: LinkChoice }): Promise<LinkResult> {
  const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
  if (!scope) return { status: "not_allowed" };
  if (input.id === input.other) return { status: "itself" };
  const both = await prisma.outcome.findMany({
    where: { id: { in: [input.id, input.other] }, discardedAt: null, status: { not: "draft" } },
    select: { id: true, organisationId: true, contributors: true },
  });
  if (both.length !== 2 || both.some((o) => !outcomeInScope(scope, o))) return { status: "not_allowed" };
  const [fromId, toId, kind] = input.choice === "led_from" ? [input.other, input.id, "led_to"] : [input.id, input.other, input.choice];
  const linked = prisma.$transaction(async (tx) => {
    // A statement is counted once with one other statement, not several.
    if (kind === "same" && (await tx.outcomeLink.count({ where: { fromId, kind: "same" } }))) return { status: "already_same" as const };
    const existing = await tx.outcomeLink.count({
      where: {
        OR: [
          { fromId, toId },
          { fromId: toId, toId: fromId },
        ],
      },
    });
    if (existing) return { status: "already" as const };
    await tx.outcomeLink.create({ data: { fromId, toId, kind, createdById: actor.userId ?? null } });
    await tx.outcomeEvent.createMany({
      data: [
        { outcomeId: fromId, actorId: actor.userId ?? null, type: `link_${kind}`, newValue: `#${toId}` },
        { outcomeId: toId, actorId: actor.userId ?? null, type: kind === "same" ? "link_same_by" : "link_led_from", newValue: `#${fromId}` },
      ],
    });
    return { status: "linked" as const };
  });
  // Two coordinators at once: the database's unique keys let one link through; the other is told.
  return linked.catch((e) => {
    if (isUniqueViolation(e)) return { status: kind === "same" ? ("already_same" as const) : ("already" as const) };
    throw e;
  });
}

export interface Links {
  /** This statement is the same change as these (it is counted with them). */
  sameAs: number[];
  /** These statements describe the same change as this one (counted with it). */
  duplicates: number[];
  ledTo: number[];
  followsFrom: number[];
}

export async function linksOf(prisma: Db, outcomeId: number): Promise<Links> {
  const [linksFrom, linksTo] = await Promise.all([
    prisma.outcomeLink.findMany({ where: { fromId: outcomeId }, orderBy: { id: "asc" } }),
    prisma.outcomeLink.findMany({ where: { toId: outcomeId }, orderBy: { id: "asc" } }),
  ]);
  return linksFromRows({ linksFrom, linksTo });
}

/** A statement's links, from its rows of links (as `linksFrom` and `linksTo` load them). */
export function linksFromRows(o: { linksFrom: Array<{ kind: string; toId: number }>; linksTo: Array<{ kind: string; fromId: number }> }): Links {
  const from = (kind: string) => o.linksFrom.filter((r) => r.kind === kind).map((r) => r.toId);
  const to = (kind: string) => o.linksTo.filter((r) => r.kind === kind).map((r) => r.fromId);
  return { sameAs: from("same"), duplicates: to("same"), ledTo: from("led_to"), followsFrom: to("led_to") };
}

/** Statements counted once with another: left out of counts (stats, charts). */
export const notADuplicate = { linksFrom: { none: { kind: "same" } } } as const;
