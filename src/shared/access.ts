import type { Db } from "../platform/db/client.js";
import type { Sql } from "../platform/db/sql.js";
import type { Role } from "../generated/prisma/client.js";

export type EffectiveRole = Role | "admin";

/** Who acts: a person (by user id, none before they have a row) and whether they are an admin. */
export interface Actor {
  userId: number | undefined;
  isAdmin: boolean;
}

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

/** Whose commands a person sees in /help and their menu: by role, and guests. */
export type MenuRole = "guest" | "leader" | "substantiator" | "coordinator" | "programme" | "admin";

/**
 * The menu of a person: admin; a coordinator of the whole programme ("programme") or of some
 * organisations; a leader; a substantiator (a member with that role, or anyone with a source
 * link and no membership); otherwise a guest.
 */
export async function menuRole(prisma: Db, user: { id: number } | null, isAdmin: boolean): Promise<MenuRole> {
  if (isAdmin) return "admin";
  if (!user) return "guest";
  const ms = await activeMemberships(prisma, user.id);
  const role = effectiveRole(
    ms.map((m) => m.role),
    false,
  );
  if (role === "coordinator") return ms.some((m) => m.role === "coordinator" && m.programmeWide) ? "programme" : "coordinator";
  if (role) return role;
  return (await prisma.substantiationAssignment.count({ where: { userId: user.id } })) > 0 ? "substantiator" : "guest";
}

/** Organisations a person may report outcomes for (plain SQL: asked at every /new). */
export async function harvestOrganisations(sql: Sql, userId: number): Promise<Array<{ id: number; name: string }>> {
  const rows = await sql.query<{ id: number; name: string }>(
    `SELECT g."id", g."name" FROM "memberships" m JOIN "organisations" g ON g."id" = m."organisation_id"
      WHERE m."user_id" = $1 AND m."active" AND m."role"::text IN ('leader', 'coordinator') ORDER BY m."created_at", m."id"`,
    [userId],
  );
  return rows.map((r) => ({ id: Number(r.id), name: r.name }));
}

/**
 * What a coordinator may see and act on: every organisation (admins, and coordinators invited
 * for the whole programme), the organisations they coordinate, or nothing.
 */
export type Scope = { all: true } | { all: false; orgIds: number[] };

export async function coordinatorScope(prisma: Db, userId: number | undefined, isAdmin: boolean): Promise<Scope | null> {
  if (isAdmin) return { all: true };
  if (userId === undefined) return null;
  const ms = (await activeMemberships(prisma, userId)).filter((m) => m.role === "coordinator");
  if (ms.length === 0) return null;
  if (ms.some((m) => m.programmeWide)) return { all: true };
  return { all: false, orgIds: ms.map((m) => m.organisationId) };
}

/** Whether `actor` sees everything `target` sees (no scope: nothing to cover). */
export function covers(actor: Scope | null, target: Scope | null): boolean {
  if (!target) return true;
  if (!actor) return false;
  if (actor.all) return true;
  return !target.all && target.orgIds.every((id) => actor.orgIds.includes(id));
}

export const inScope = (scope: Scope | null, organisationId: number) => Boolean(scope && (scope.all || scope.orgIds.includes(organisationId)));

/**
 * A Prisma filter on statements for a scope: its lead organisation, or one that contributed to
 * it (a joint outcome), is in scope. It uses the key OR, and `ofOrganisation` the key AND, so the
 * two spread into one filter without one replacing the other.
 */
export const scopeFilter = (scope: Scope) =>
  scope.all ? {} : { OR: [{ organisationId: { in: scope.orgIds } }, { contributors: { some: { organisationId: { in: scope.orgIds } } } }] };

/** A Prisma filter on statements of one organisation: led by it, or with it contributing. */
export const ofOrganisation = (organisationId: number) => ({
  AND: [{ OR: [{ organisationId }, { contributors: { some: { organisationId } } }] }],
});

/** Whether a statement is in scope: its lead organisation or a contributing one. */
export const outcomeInScope = (scope: Scope | null, o: { organisationId: number; contributors?: Array<{ organisationId: number }> }) =>
  inScope(scope, o.organisationId) || (o.contributors ?? []).some((c) => inScope(scope, c.organisationId));

/** The organisations of a scope, by name. */
export function organisationsIn(prisma: Db, scope: Scope) {
  return prisma.organisation.findMany({ where: scope.all ? {} : { id: { in: scope.orgIds } }, orderBy: { name: "asc" } });
}

/** Organisations a person may manage (invite to, review, list). */
export async function managedOrganisations(prisma: Db, userId: number | undefined, isAdmin: boolean) {
  const scope = await coordinatorScope(prisma, userId, isAdmin);
  return scope ? organisationsIn(prisma, scope) : [];
}

/** The subscription's organisations within the coordinator's scope (empty choice: the whole scope). */
export function narrowScope(scope: Scope, organisationIds: number[]): Scope {
  if (organisationIds.length === 0) return scope;
  const ids = scope.all ? organisationIds : organisationIds.filter((id) => scope.orgIds.includes(id));
  return { all: false, orgIds: ids };
}
