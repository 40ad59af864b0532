import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../platform/db/client.js";
import type { Invite, Role } from "../generated/prisma/client.js";
import { inScope, type Scope } from "../shared/access.js";

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

/** Creates an invite; returns its code once (it cannot be recovered later). */
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
  return classify(invite, now);
}

function classify(invite: (Invite & { organisation: { name: string } }) | null, now: Date): InviteCheck {
  if (!invite) return { status: "unknown" };
  if (invite.revokedAt) return { status: "revoked" };
  if (invite.expiresAt <= now) return { status: "expired" };
  if (invite.uses >= invite.maxUses) return { status: "used_up" };
  return { status: "ok", invite };
}

/**
 * Withdraws an invite link (a coordinator whose scope covers its organisation). Nobody joins
 * with it afterwards; the memberships it already gave stay.
 */
export async function revokeInvite(prisma: Db, scope: Scope | null, inviteId: number, now = new Date()): Promise<"revoked" | "already" | "not_allowed"> {
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
    const check = classify(invite, now);
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
