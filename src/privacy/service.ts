/**
 * Privacy's rules: what the bot stores about a person, and — for a leader — deleting their
 * personal data. Their statements stay in the programme's record, shown as "author removed";
 * the coordinators of their organisations are told, in the same transaction.
 */
import { Prisma, type User } from "../generated/prisma/client.js";
import type { Db } from "../platform/db/client.js";
import { notify } from "../platform/telegram/notify.js";
import { CONVERSATION_PREFIX } from "../platform/telegram/storage.js";

/**
 * Only leaders delete themselves; a coordinator's or substantiator's record is the programme's.
 * A leader whose membership was ended may delete too: every membership, active or not, counts.
 */
export async function mayDeletePersonalData(prisma: Db, user: Pick<User, "id" | "deletedAt"> | null, isAdmin: boolean): Promise<boolean> {
  if (!user || isAdmin || user.deletedAt) return false;
  const ms = await prisma.membership.findMany({ where: { userId: user.id }, select: { role: true } });
  const assignments = await prisma.substantiationAssignment.count({ where: { userId: user.id } });
  return ms.length > 0 && ms.every((m) => m.role === "leader") && assignments === 0;
}

/** Everything the bot stores about a person, counted: what /privacy shows them. */
export async function personalData(prisma: Db, user: User) {
  const [memberships, byStatus, thread, assignments, subscription, evidence] = await Promise.all([
    prisma.membership.findMany({ where: { userId: user.id }, include: { organisation: true }, orderBy: { id: "asc" } }),
    prisma.outcome.groupBy({ by: ["status"], where: { authorId: user.id, discardedAt: null }, _count: { _all: true } }),
    prisma.threadMessage.count({ where: { authorId: user.id } }),
    prisma.substantiationAssignment.count({ where: { userId: user.id } }),
    prisma.digestSubscription.findUnique({ where: { userId: user.id } }),
    prisma.outcomeEvidence.count({ where: { outcome: { authorId: user.id } } }),
  ]);
  return {
    user,
    memberships: memberships.map((m) => ({ organisation: m.organisation.name, role: m.role, active: m.active })),
    statements: byStatus.map((s) => ({ status: s.status, count: s._count._all })),
    thread,
    assignments,
    digest: subscription?.frequency ?? null,
    evidence,
  };
}

export type PersonalData = Awaited<ReturnType<typeof personalData>>;

/** Removes the person's personal data; their statements stay as "author removed". */
export async function deletePersonalData(prisma: Db, user: User, now: Date, isAdmin: boolean) {
  return prisma.$transaction(async (tx) => {
    const fresh = await tx.user.findUnique({ where: { id: user.id } });
    if (!(await mayDeletePersonalData(tx as Db, fresh, isAdmin))) return null;
    // Every organisation the person belonged to keeps statements of theirs: its coordinators are told.
    const orgs = (await tx.membership.findMany({ where: { userId: user.id }, include: { organisation: true } })).map((m) => m.organisation);
    const kept = await tx.outcome.count({ where: { authorId: user.id, status: { notIn: ["draft"] }, discardedAt: null } });
    // Unsent drafts were never part of the record: they go.
    await tx.outcome.updateMany({ where: { authorId: user.id, status: "draft", discardedAt: null }, data: { discardedAt: now, step: null } });
    await tx.membership.updateMany({ where: { userId: user.id }, data: { active: false } });
    await tx.conversationState.deleteMany({ where: { key: `${CONVERSATION_PREFIX}${user.telegramId}` } });
    await tx.outboxMessage.updateMany({
      where: { chatId: user.telegramId, status: "pending" },
      data: { status: "failed", lastError: "the person deleted their data" },
    });
    await tx.digestSubscription.deleteMany({ where: { userId: user.id } });
    await tx.user.update({
      where: { id: user.id },
      data: {
        // No Telegram account has a negative id: the row can no longer be tied to the person.
        telegramId: BigInt(-user.id),
        displayName: "",
        username: null,
        language: null,
        pendingInput: Prisma.DbNull,
        pendingInviteId: null,
        activeOutcomeId: null,
        consentAt: null,
        deletedAt: now,
      },
    });
    const orgIds = orgs.map((o) => o.id);
    const coordinators = await tx.user.findMany({
      where: {
        deletedAt: null,
        OR: [
          { memberships: { some: { active: true, role: "coordinator", organisationId: { in: orgIds } } } },
          { memberships: { some: { active: true, role: "coordinator", programmeWide: true } } },
        ],
      },
      include: { memberships: { where: { active: true, role: "coordinator" } } },
    });
    for (const c of coordinators) {
      const theirs = c.memberships.some((m) => m.programmeWide) ? orgs : orgs.filter((o) => c.memberships.some((m) => m.organisationId === o.id));
      await notify(tx, c, "privacy.coordinator_told", { orgs: theirs.map((o) => o.name).join(", "), count: kept });
    }
    return { kept, told: coordinators.length };
  });
}
