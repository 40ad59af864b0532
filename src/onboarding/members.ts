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

/** Organisations a person may manage (create invites for). Admins manage all. */
export async function managedOrganisations(prisma: Db, userId: number | undefined, isAdmin: boolean) {
  if (isAdmin) return prisma.organisation.findMany({ orderBy: { name: "asc" } });
  if (userId === undefined) return [];
  const ms = await activeMemberships(prisma, userId);
  return ms.filter((m) => m.role === "coordinator").map((m) => m.organisation);
}
