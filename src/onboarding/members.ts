import type { Db } from "../db/client.js";
import type { Role } from "../generated/prisma/client.js";

export type EffectiveRole = Role | "admin";

export async function activeMemberships(prisma: Db, userId: number) {
  return prisma.membership.findMany({
    where: { userId, active: true },
    include: { organisation: true },
    orderBy: { createdAt: "asc" },
  });
}

/** The role whose commands a person sees: admin, then coordinator, leader, substantiator. */
export function effectiveRole(roles: Role[], isAdmin: boolean): EffectiveRole | null {
  if (isAdmin) return "admin";
  for (const r of ["coordinator", "leader", "substantiator"] as const) if (roles.includes(r)) return r;
  return null;
}

/** Organisations a person may report outcomes for. */
export async function harvestOrganisations(prisma: Db, userId: number) {
  const ms = await activeMemberships(prisma, userId);
  return ms.filter((m) => m.role === "leader" || m.role === "coordinator").map((m) => m.organisation);
}

/**
 * What a coordinator may see and act on: every organisation (admins, and coordinators invited
 * for the whole programme), the organisations they coordinate, or nothing.
 */
export type Scope = { all: true } | { all: false; orgIds: number[] };

export async function coordinatorScope(prisma: Db, userId: number | undefined, isAdmin: boolean): Promise<Scope | null> {
  if (isAdmin) return { all: true };
  if (userId === undefined) return null;
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { programmeWide: true } });
  const ms = (await activeMemberships(prisma, userId)).filter((m) => m.role === "coordinator");
  if (ms.length === 0) return null;
  if (user?.programmeWide) return { all: true };
  return { all: false, orgIds: ms.map((m) => m.organisationId) };
}

export const inScope = (scope: Scope | null, organisationId: number) =>
  Boolean(scope && (scope.all || scope.orgIds.includes(organisationId)));

/** A Prisma filter on organisationId for a scope. */
export const scopeFilter = (scope: Scope) => (scope.all ? {} : { organisationId: { in: scope.orgIds } });

/** The organisations of a scope, by name. */
export function organisationsIn(prisma: Db, scope: Scope) {
  return prisma.organisation.findMany({ where: scope.all ? {} : { id: { in: scope.orgIds } }, orderBy: { name: "asc" } });
}

/** Organisations a person may manage (invite to, review, list). */
export async function managedOrganisations(prisma: Db, userId: number | undefined, isAdmin: boolean) {
  const scope = await coordinatorScope(prisma, userId, isAdmin);
  return scope ? organisationsIn(prisma, scope) : [];
}
