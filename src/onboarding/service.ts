/**
 * Onboarding's rules: joining with an invite (language, consent, then the membership), the
 * organisations, invite links, and coordinators changing memberships. Every function that acts
 * for someone takes the actor and checks their scope itself; callers pass ids from anywhere
 * (a button, the console, the command line) and get data or a refusal back.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Invite, Membership, Organisation, Role, User } from "../generated/prisma/client.js";
import { isUniqueViolation, type Db } from "../platform/db/client.js";
import { hasVisibleText } from "../shared/text.js";
import { type Actor, coordinatorScope, covers, inScope, managedOrganisations, menuRole, type MenuRole } from "../shared/access.js";

export const ROLES: Role[] = ["leader", "coordinator", "substantiator"];
export const INVITE_ROLES: Role[] = ROLES;
/** The invite choices: a role, or "programme" (a coordinator of every organisation). */
export type InviteChoice = Role | "programme";
export const INVITE_USES = [1, 5, 20, 100];
export const INVITE_DAYS = [1, 7, 30, 90];
export const MAX_ORG_NAME = 120;
/** Members shown per page of /members (each also has a button). */
export const MEMBERS_PAGE = 20;

// ---------------------------------------------------------------------------------------------
// Invites

/**
 * 128 bits of randomness, URL-safe, fits Telegram's 64-character start parameter. Never starts
 * with "s_": /start takes such a code for a substantiator's link (one invite in 4,096 did).
 */
export function generateInviteCode(): string {
  for (;;) {
    const code = randomBytes(16).toString("base64url");
    if (!code.startsWith("s_")) return code;
  }
}

/** Only the hash is stored: a database leak does not leak usable invite links. */
export function hashInviteCode(code: string): string {
  return createHash("sha256").update(code).digest("hex");
}

export const INVITE_CODE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export function inviteLink(botUsername: string, code: string): string {
  return `https://t.me/${botUsername}?start=${code}`;
}

export interface NewInvite {
  organisationId: number;
  role: Role;
  maxUses: number;
  days: number;
  createdById?: number;
  requestKey?: string;
  /** A coordinator for the whole programme. */
  programmeWide?: boolean;
}

/** Creates an invite (no scope check: the operator's command line, and the checked flow below); returns its code once. */
export async function createInvite(prisma: Db, input: NewInvite, now = new Date()) {
  const code = generateInviteCode();
  const invite = await prisma.invite.create({
    data: {
      codeHash: hashInviteCode(code),
      organisationId: input.organisationId,
      role: input.role,
      maxUses: input.maxUses,
      expiresAt: new Date(now.getTime() + input.days * 86_400_000),
      createdById: input.createdById,
      requestKey: input.requestKey,
      programmeWide: input.role === "coordinator" && Boolean(input.programmeWide),
    },
    include: { organisation: true },
  });
  return { invite, code };
}

export type InviteCheck = { status: "ok"; invite: Invite & { organisation: { name: string } } } | { status: "unknown" | "revoked" | "expired" | "used_up" };

export async function checkInvite(prisma: Db, code: string, now = new Date()): Promise<InviteCheck> {
  if (!INVITE_CODE_PATTERN.test(code)) return { status: "unknown" };
  const invite = await prisma.invite.findUnique({ where: { codeHash: hashInviteCode(code) }, include: { organisation: true } });
  return classifyInvite(invite, now);
}

function classifyInvite(invite: (Invite & { organisation: { name: string } }) | null, now: Date): InviteCheck {
  if (!invite) return { status: "unknown" };
  if (invite.revokedAt) return { status: "revoked" };
  if (invite.expiresAt <= now) return { status: "expired" };
  if (invite.uses >= invite.maxUses) return { status: "used_up" };
  return { status: "ok", invite };
}

/** Whether the actor may offer this choice: a role, or "programme" for a coordinator of the whole programme (or an admin). */
export async function inviteChoices(prisma: Db, actor: Actor): Promise<InviteChoice[]> {
  const programme = (await coordinatorScope(prisma, actor.userId, actor.isAdmin))?.all === true;
  return [...INVITE_ROLES, ...(programme ? (["programme"] as const) : [])];
}

/** An organisation the actor may invite to, list and manage; undefined outside their scope. */
export async function managedOrganisation(prisma: Db, actor: Actor, organisationId: number): Promise<Organisation | undefined> {
  return (await managedOrganisations(prisma, actor.userId, actor.isAdmin)).find((o) => o.id === organisationId);
}

export type InviteRequest = { organisationId: number; choice: string; uses: number; days: number; requestKey: string };

/**
 * The last step of the invite flow: every choice is checked again (the scope, a role the actor
 * may give, the offered numbers). The request key makes it idempotent: pressing twice creates one.
 */
export async function requestInvite(
  prisma: Db,
  actor: Actor,
  req: InviteRequest,
  now: Date,
): Promise<
  | { status: "created"; invite: Invite & { organisation: Organisation }; code: string; organisation: Organisation }
  | { status: "already" }
  | { status: "invalid_choice" }
  | { status: "out_of_scope" }
> {
  const organisation = await managedOrganisation(prisma, actor, req.organisationId);
  if (!organisation) return { status: "out_of_scope" };
  const choices = await inviteChoices(prisma, actor);
  if (!(choices as string[]).includes(req.choice) || !INVITE_USES.includes(req.uses) || !INVITE_DAYS.includes(req.days)) return { status: "invalid_choice" };
  if (await prisma.invite.findUnique({ where: { requestKey: req.requestKey } })) return { status: "already" };
  try {
    // In a transaction of its own (a savepoint inside an update's): a duplicate key is caught below.
    const created = await prisma.$transaction((tx) =>
      createInvite(
        tx as Db,
        {
          organisationId: organisation.id,
          role: req.choice === "programme" ? "coordinator" : (req.choice as Role),
          programmeWide: req.choice === "programme",
          maxUses: req.uses,
          days: req.days,
          createdById: actor.userId,
          requestKey: req.requestKey,
        },
        now,
      ),
    );
    return { status: "created", ...created, organisation };
  } catch (e) {
    if (isUniqueViolation(e)) return { status: "already" };
    throw e;
  }
}

/**
 * Withdraws an invite link (a coordinator whose scope covers its organisation). Nobody joins
 * with it afterwards; the memberships it already gave stay.
 */
export async function revokeInvite(prisma: Db, actor: Actor, inviteId: number, now = new Date()): Promise<"revoked" | "already" | "not_allowed"> {
  const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
  const invite = await prisma.invite.findUnique({ where: { id: inviteId } });
  if (!invite || !inScope(scope, invite.organisationId)) return "not_allowed";
  const { count } = await prisma.invite.updateMany({ where: { id: inviteId, revokedAt: null }, data: { revokedAt: now } });
  return count === 1 ? "revoked" : "already";
}

/**
 * Uses one place of the invite and makes the person a member, atomically. A member of the
 * organisation already keeps their membership and does not use up a place.
 */
export async function redeemInvite(prisma: Db, inviteId: number, userId: number, now = new Date()) {
  return prisma.$transaction(async (tx) => {
    const invite = await tx.invite.findUnique({ where: { id: inviteId }, include: { organisation: true } });
    const check = classifyInvite(invite, now);
    if (check.status !== "ok") return check;
    const existing = await tx.membership.findUnique({
      where: { userId_organisationId: { userId, organisationId: check.invite.organisationId } },
    });
    if (existing?.active) return { status: "already_member" as const, invite: check.invite, membership: existing };
    // A membership a coordinator ended is not reopened by an invite: only a coordinator reactivates it.
    if (existing) return { status: "ended" as const, invite: check.invite };
    const taken = await tx.$executeRaw`UPDATE "invites" SET "uses" = "uses" + 1
      WHERE "id" = ${inviteId} AND "uses" < "max_uses" AND "expires_at" > ${now}`;
    if (taken !== 1) return { status: "used_up" as const };
    const membership = await tx.membership.create({
      data: { userId, organisationId: check.invite.organisationId, role: check.invite.role, inviteId, programmeWide: check.invite.programmeWide },
    });
    return { status: "joined" as const, invite: check.invite, membership };
  });
}

// ---------------------------------------------------------------------------------------------
// Joining: language, consent, the pending invite

/** Keeps a valid invite code on the person's row until they have chosen a language and consented. */
export function holdInvite(prisma: Db, userId: number, inviteId: number): Promise<User> {
  return prisma.user.update({ where: { id: userId }, data: { pendingInviteId: inviteId } });
}

export function setLanguage(prisma: Db, userId: number, lang: string): Promise<User> {
  return prisma.user.update({ where: { id: userId }, data: { language: lang } });
}

/** Consent is recorded once: a second press finds it set (null). */
export async function recordConsent(prisma: Db, userId: number, now: Date): Promise<User | null> {
  const updated = await prisma.user.updateMany({ where: { id: userId, consentAt: null }, data: { consentAt: now } });
  return updated.count === 1 ? prisma.user.findUnique({ where: { id: userId } }) : null;
}

/** Whether the consent shown is the staff one: an admin's, or someone invited as coordinator or substantiator. */
export async function joinsAsStaff(prisma: Db, user: Pick<User, "pendingInviteId"> | null, isAdmin: boolean): Promise<boolean> {
  if (isAdmin) return true;
  const invite = user?.pendingInviteId ? await prisma.invite.findUnique({ where: { id: user.pendingInviteId } }) : null;
  return invite !== null && invite.role !== "leader";
}

export type JoinResult =
  | { status: "joined" | "already_member"; organisation: string; role: Role; organisationId: number }
  | { status: "unknown" | "revoked" | "expired" | "used_up" | "ended"; organisation: string }
  | { status: "none" };

/** After language and consent: the pending invite is redeemed (or refused) and let go. */
export async function joinWithPendingInvite(prisma: Db, user: User, now: Date): Promise<{ user: User; result: JoinResult }> {
  if (!user.pendingInviteId) return { user, result: { status: "none" } };
  const result = await redeemInvite(prisma, user.pendingInviteId, user.id, now);
  const fresh = await prisma.user.update({ where: { id: user.id }, data: { pendingInviteId: null } });
  if (result.status === "joined" || result.status === "already_member") {
    return {
      user: fresh,
      result: {
        status: result.status,
        organisation: result.invite.organisation.name,
        role: result.membership.role,
        organisationId: result.invite.organisationId,
      },
    };
  }
  return { user: fresh, result: { status: result.status, organisation: "invite" in result ? result.invite.organisation.name : "" } };
}

export function roleOf(prisma: Db, user: { id: number } | null, isAdmin: boolean): Promise<MenuRole> {
  return menuRole(prisma, user, isAdmin);
}

/** Why someone with no active membership is refused: every one was ended, or there never was one. */
export async function whyNoAccess(prisma: Db, userId: number): Promise<"deactivated" | "not_member"> {
  const inactive = await prisma.membership.count({ where: { userId, active: false } });
  return inactive > 0 ? "deactivated" : "not_member";
}

// ---------------------------------------------------------------------------------------------
// Organisations

export type NewOrganisation =
  | { status: "created"; organisation: Organisation }
  | { status: "exists" | "empty" | "not_allowed" }
  | { status: "too_long"; length: number };

/** Admins create organisations; a name is one line, at most MAX_ORG_NAME characters, and unique. */
export async function createOrganisation(prisma: Db, actor: Actor, rawName: string): Promise<NewOrganisation> {
  if (!actor.isAdmin) return { status: "not_allowed" };
  const name = rawName.trim().replace(/\s+/g, " ");
  if (!hasVisibleText(name)) return { status: "empty" };
  if (name.length > MAX_ORG_NAME) return { status: "too_long", length: name.length };
  if (await prisma.organisation.findUnique({ where: { name } })) return { status: "exists" };
  try {
    return { status: "created", organisation: await prisma.$transaction((tx) => tx.organisation.create({ data: { name } })) };
  } catch (e) {
    if (isUniqueViolation(e)) return { status: "exists" };
    throw e;
  }
}

/** The organisations the actor manages, each with its number of active members. */
export async function organisationsWithMembers(prisma: Db, actor: Actor): Promise<Array<Organisation & { members: number }>> {
  const orgs = await managedOrganisations(prisma, actor.userId, actor.isAdmin);
  if (orgs.length === 0) return [];
  const counts = await prisma.membership.groupBy({
    by: ["organisationId"],
    where: { organisationId: { in: orgs.map((o) => o.id) }, active: true },
    _count: true,
  });
  return orgs.map((o) => ({ ...o, members: counts.find((x) => x.organisationId === o.id)?._count ?? 0 }));
}

// ---------------------------------------------------------------------------------------------
// Memberships

export type MemberChange = { role: Role } | { active: boolean };

export type MemberChangeRefusal = "not_found" | "out_of_scope" | "self" | "not_covered" | "invalid";

/** Who changes a membership: a coordinator or admin in the chat; none from the command line (the operator). */
export type MemberActor = Actor;

/**
 * Changes one membership, as a compare-and-set on the state read. The actor may change it if it
 * is in their scope, it is not their own, and their scope covers everything the member's own
 * coordinator scope covers (a coordinator of one organisation cannot remove a coordinator of
 * the whole programme who also belongs to it). Returns the membership before and after,
 * "unchanged" (already so, or changed by someone else meanwhile), or the refusal.
 * Programme scope belongs to the membership: any change of role ends it, and so does ending the
 * membership; reactivating gives back the organisation only.
 */
export async function changeMembership(
  prisma: Db,
  membershipId: number,
  change: MemberChange,
  actor?: MemberActor,
  now = new Date(),
): Promise<{ status: "changed"; before: Membership; after: Membership } | { status: "unchanged" | MemberChangeRefusal }> {
  const before = await prisma.membership.findUnique({ where: { id: membershipId } });
  if (!before) return { status: "not_found" };
  if (actor) {
    const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
    if (!inScope(scope, before.organisationId)) return { status: "out_of_scope" };
    if (before.userId === actor.userId) return { status: "self" };
    if (!covers(scope, await coordinatorScope(prisma, before.userId, false))) return { status: "not_covered" };
  }
  if ("role" in change && !ROLES.includes(change.role)) return { status: "invalid" };
  if ("role" in change ? before.role === change.role : before.active === change.active) return { status: "unchanged" };
  const data =
    "role" in change
      ? { role: change.role, programmeWide: false }
      : change.active
        ? { active: true, endedAt: null, endedById: null }
        : { active: false, programmeWide: false, endedAt: now, endedById: actor?.userId ?? null };
  const { count } = await prisma.membership.updateMany({ where: { id: membershipId, role: before.role, active: before.active }, data });
  if (count !== 1) return { status: "unchanged" };
  return { status: "changed", before, after: { ...before, ...data } };
}

/** One membership with its person and organisation, if it is in the actor's scope. */
export async function membershipInScope(prisma: Db, actor: Actor, id: number) {
  const m = await prisma.membership.findUnique({ where: { id }, include: { user: true, organisation: true } });
  const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
  return m && inScope(scope, m.organisationId) ? m : undefined;
}

export interface MembersPage {
  organisation: Organisation;
  members: Array<Membership & { user: User }>;
  total: number;
  page: number;
  pages: number;
}

/** A page of an organisation's members (active first), if the organisation is in the actor's scope. */
export async function membersPage(prisma: Db, actor: Actor, organisationId: number, page: number): Promise<MembersPage | undefined> {
  const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
  if (!inScope(scope, organisationId)) return undefined;
  const organisation = await prisma.organisation.findUniqueOrThrow({ where: { id: organisationId } });
  const total = await prisma.membership.count({ where: { organisationId } });
  const pages = Math.max(1, Math.ceil(total / MEMBERS_PAGE));
  const p = Math.min(Math.max(page, 0), pages - 1);
  const members = await prisma.membership.findMany({
    where: { organisationId },
    include: { user: true },
    orderBy: [{ active: "desc" }, { createdAt: "asc" }, { id: "asc" }],
    skip: p * MEMBERS_PAGE,
    take: MEMBERS_PAGE,
  });
  return { organisation, members, total, page: p, pages };
}
