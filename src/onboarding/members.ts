/**
 * /members: coordinators list the members of the organisations in their scope, change a
 * member's role, deactivate or reactivate them. Each press re-checks the scope.
 */
import { Composer } from "grammy";
import type { Db } from "../platform/db/client.js";
import type { Membership, Role } from "../generated/prisma/client.js";
import type { BotContext } from "../shared/context.js";
import { keyboard, type Button } from "../platform/telegram/keyboard.js";
import { notify } from "../platform/telegram/notify.js";
import { coordinatorScope, covers, inScope, managedOrganisations } from "../shared/access.js";
import { personName } from "../shared/users.js";
import { formatDay } from "../platform/i18n/format.js";

export const ROLES: Role[] = ["leader", "coordinator", "substantiator"];

export type MemberChange = { role: Role } | { active: boolean };

export type MemberChangeRefusal = "not_found" | "out_of_scope" | "self" | "not_covered" | "invalid";

/** Who changes a membership: a coordinator or admin in the chat; none from the command line (the operator). */
export interface MemberActor {
  userId: number | undefined;
  isAdmin: boolean;
}

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

async function loadMembership(ctx: BotContext, id: number) {
  const m = await ctx.deps.prisma.membership.findUnique({ where: { id }, include: { user: true, organisation: true } });
  const scope = await coordinatorScope(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin);
  if (!m || !inScope(scope, m.organisationId)) {
    ctx.log.warn({ membership_id: id, user_id: ctx.user?.id }, "refused: membership outside scope");
    await ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
    return undefined;
  }
  return m;
}

/** Members shown per page of /members (each also has a button). */
export const MEMBERS_PAGE = 20;

async function listMembers(ctx: BotContext, organisationId: number, edit: boolean, page = 0) {
  const { prisma } = ctx.deps;
  const scope = await coordinatorScope(prisma, ctx.user?.id, ctx.isAdmin);
  if (!inScope(scope, organisationId)) {
    ctx.log.warn({ organisation_id: organisationId }, "refused: organisation outside scope");
    if (ctx.callbackQuery) return ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
    return ctx.reply(ctx.t("errors.not_allowed"));
  }
  const org = await prisma.organisation.findUniqueOrThrow({ where: { id: organisationId } });
  const total = await prisma.membership.count({ where: { organisationId } });
  const pages = Math.max(1, Math.ceil(total / MEMBERS_PAGE));
  const p = Math.min(Math.max(page, 0), pages - 1);
  const ms = await prisma.membership.findMany({
    where: { organisationId },
    include: { user: true },
    orderBy: [{ active: "desc" }, { createdAt: "asc" }, { id: "asc" }],
    skip: p * MEMBERS_PAGE,
    take: MEMBERS_PAGE,
  });
  const lines = ms.map((m) =>
    ctx.t(m.active ? "members.line" : "members.line_inactive", {
      name: personName(m.user, ctx.t),
      username: m.user.username ? ` @${m.user.username}` : "",
      role: ctx.t(`roles.${m.role}`),
    }),
  );
  const buttons: Button[] = ms.map((m) => ({
    text: `${m.active ? "" : "🚫 "}${personName(m.user, ctx.t)} · ${ctx.t(`roles.${m.role}`)}`,
    data: `mb:m:${m.id}`,
  }));
  if (p > 0) buttons.push({ text: ctx.t("my.prev"), data: `mb:p:${organisationId}:${p - 1}` });
  if (p < pages - 1) buttons.push({ text: ctx.t("my.next"), data: `mb:p:${organisationId}:${p + 1}` });
  const head = ctx.t("members.title", { org: org.name, count: total });
  const paging = pages > 1 ? `\n${ctx.t("members.page", { page: p + 1, pages })}` : "";
  const text = `${head}${paging}\n\n${lines.join("\n") || ctx.t("members.none")}`;
  const opts = { parse_mode: "HTML" as const, reply_markup: keyboard(buttons) };
  if (edit) await ctx.editMessageText(text, opts).catch(() => ctx.reply(text, opts));
  else await ctx.reply(text, opts);
}

async function showMember(ctx: BotContext, id: number, answer = true) {
  const m = await loadMembership(ctx, id);
  if (!m) return;
  if (answer) await ctx.answerCallbackQuery();
  const buttons: Button[] = ROLES.filter((r) => r !== m.role).map((r) => ({
    text: ctx.t("members.make", { role: ctx.t(`roles.${r}`) }),
    data: `mb:r:${m.id}:${r}`,
  }));
  buttons.push(m.active ? { text: ctx.t("members.deactivate"), data: `mb:a:${m.id}:0` } : { text: ctx.t("members.reactivate"), data: `mb:a:${m.id}:1` }, {
    text: ctx.t("members.back"),
    data: `mb:o:${m.organisationId}`,
  });
  await ctx.editMessageText(
    ctx.t("members.card", {
      name: personName(m.user, ctx.t),
      org: m.organisation.name,
      role: ctx.t(`roles.${m.role}`),
      state: ctx.t(m.active ? "members.active" : "members.inactive"),
      since: formatDay(m.createdAt, ctx.lang, ctx.config.timeZone),
    }),
    { parse_mode: "HTML", reply_markup: keyboard(buttons) },
  );
}

export function membersFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("members", async (ctx) => {
    const orgs = await managedOrganisations(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin);
    if (orgs.length === 0) {
      if (!ctx.isAdmin) ctx.log.warn({ user_id: ctx.user?.id }, "refused: outside the person's scope");
      return ctx.reply(ctx.t(ctx.isAdmin ? "orgs.none_admin" : "errors.not_allowed"), { parse_mode: "HTML" });
    }
    if (orgs.length === 1) return listMembers(ctx, orgs[0]!.id, false);
    await ctx.reply(ctx.t("members.pick_org"), { reply_markup: keyboard(orgs.map((o) => ({ text: o.name, data: `mb:o:${o.id}` }))) });
  });

  c.callbackQuery(/^mb:o:(\d+)$/, async (ctx) => {
    await listMembers(ctx, Number(ctx.match[1]), true);
    await ctx.answerCallbackQuery().catch(() => {});
  });

  c.callbackQuery(/^mb:p:(\d+):(\d+)$/, async (ctx) => {
    await listMembers(ctx, Number(ctx.match[1]), true, Number(ctx.match[2]));
    await ctx.answerCallbackQuery().catch(() => {});
  });

  c.callbackQuery(/^mb:m:(\d+)$/, (ctx) => showMember(ctx, Number(ctx.match[1])));

  c.callbackQuery(/^mb:(r|a):(\d+):(\w+)$/, async (ctx) => {
    const m = await loadMembership(ctx, Number(ctx.match[2]));
    if (!m) return;
    const change: MemberChange = ctx.match[1] === "r" ? { role: ctx.match[3] as Role } : { active: ctx.match[3] === "1" };
    const done = await changeMembership(ctx.deps.prisma, m.id, change, { userId: ctx.user?.id, isAdmin: ctx.isAdmin }, ctx.deps.now?.() ?? new Date());
    if (done.status === "self") return ctx.answerCallbackQuery({ text: ctx.t("members.not_self"), show_alert: true });
    if (done.status === "invalid") return ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
    if (done.status === "unchanged") return ctx.answerCallbackQuery({ text: ctx.t("errors.already_done") });
    if (done.status !== "changed") {
      ctx.log.warn({ membership_id: m.id, user_id: ctx.user?.id, refusal: done.status }, "refused: membership change beyond the actor's scope");
      return ctx.answerCallbackQuery({ text: ctx.t("members.not_covered"), show_alert: true });
    }
    ctx.log.info({ membership_id: m.id, by: ctx.user?.id, ...change }, "membership changed");
    const key = "role" in change ? "members.role_changed_you" : change.active ? "members.reactivated_you" : "members.deactivated_you";
    await notify(ctx.deps.prisma, m.user, key, { org: m.organisation.name, role: "role" in change ? change.role : "" });
    await ctx.answerCallbackQuery({ text: ctx.t("members.saved") });
    await showMember(ctx, m.id, false);
  });

  return c;
}
