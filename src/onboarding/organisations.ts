import { randomBytes } from "node:crypto";
import { Composer } from "grammy";
import { isUniqueViolation, type Db } from "../platform/db/client.js";
import type { Role } from "../generated/prisma/client.js";
import type { BotContext } from "../shared/context.js";
import { keyboard } from "../platform/telegram/keyboard.js";
import { createInvite, revokeInvite } from "./invites.js";
import { formatDay } from "../platform/i18n/format.js";
import { hasVisibleText } from "../shared/text.js";
import { coordinatorScope, managedOrganisations } from "../shared/access.js";

export const INVITE_ROLES: Role[] = ["leader", "coordinator", "substantiator"];
/** The invite choices: a role, or "programme" (a coordinator of every organisation). */
type InviteChoice = Role | "programme";
export const INVITE_USES = [1, 5, 20, 100];
export const INVITE_DAYS = [1, 7, 30, 90];
export const MAX_ORG_NAME = 120;

export function inviteLink(botUsername: string, code: string): string {
  return `https://t.me/${botUsername}?start=${code}`;
}

/** Coordinators: /neworg (admins), /orgs, and /invite, a button flow whose every step re-checks access. */
export function organisationsFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("neworg", async (ctx) => {
    if (!ctx.isAdmin) {
      ctx.log.warn({ user_id: ctx.user?.id }, "refused: not an admin");
      return ctx.reply(ctx.t("errors.not_allowed"));
    }
    const name = ctx.match.trim().replace(/\s+/g, " ");
    if (!hasVisibleText(name)) return ctx.reply(ctx.t("orgs.neworg_usage"), { parse_mode: "HTML" });
    if (name.length > MAX_ORG_NAME) return ctx.reply(ctx.t("errors.too_long", { limit: MAX_ORG_NAME, length: name.length }));
    const { prisma } = ctx.deps;
    const existing = await prisma.organisation.findUnique({ where: { name } });
    if (existing) return ctx.reply(ctx.t("orgs.exists", { name }), { parse_mode: "HTML" });
    const org = await prisma.organisation.create({ data: { name } });
    ctx.log.info({ organisation_id: org.id }, "organisation created");
    await ctx.reply(ctx.t("orgs.created", { name: org.name }), {
      parse_mode: "HTML",
      reply_markup: keyboard([{ text: ctx.t("orgs.invite_button"), data: `inv:o:${org.id}` }]),
    });
  });

  c.command("orgs", async (ctx) => {
    const orgs = await managedOrganisations(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin);
    if (orgs.length === 0) return ctx.reply(ctx.t(ctx.isAdmin ? "orgs.none_admin" : "errors.not_allowed"), { parse_mode: "HTML" });
    const counts = await ctx.deps.prisma.membership.groupBy({
      by: ["organisationId"],
      where: { organisationId: { in: orgs.map((o) => o.id) }, active: true },
      _count: true,
    });
    const lines = orgs.map((o) => {
      const n = counts.find((x) => x.organisationId === o.id)?._count ?? 0;
      return ctx.t("orgs.line", { name: o.name, n });
    });
    // Each organisation's button opens its member list (/members checks the scope again).
    await ctx.reply(`${ctx.t("orgs.title")}\n${lines.join("\n")}`, {
      parse_mode: "HTML",
      reply_markup: keyboard(orgs.map((o) => ({ text: `👥 ${o.name}`, data: `mb:o:${o.id}` }))),
    });
  });

  const pickOrganisation = async (ctx: BotContext) => {
    const orgs = await managedOrganisations(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin);
    if (orgs.length === 0) return ctx.reply(ctx.t(ctx.isAdmin ? "orgs.none_admin" : "errors.not_allowed"), { parse_mode: "HTML" });
    await ctx.reply(ctx.t("orgs.invite_pick_org"), {
      reply_markup: keyboard(orgs.map((o) => ({ text: o.name, data: `inv:o:${o.id}` }))),
    });
  };
  c.command("invite", pickOrganisation);

  /** Only coordinators of the whole programme (and admins) may invite another one. */
  const programmeScope = async (ctx: BotContext) => (await coordinatorScope(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin))?.all === true;
  const validChoice = async (ctx: BotContext, choice: string): Promise<boolean> =>
    (INVITE_ROLES as string[]).includes(choice) || (choice === "programme" && (await programmeScope(ctx)));

  const refuseChoice = async (ctx: BotContext, choice: string) => {
    ctx.log.warn({ user_id: ctx.user?.id, choice }, "invite refused: choice not allowed");
    await ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
  };

  /** The organisation from callback data, only if this person may manage it. */
  const allowedOrg = async (ctx: BotContext, id: number) => {
    const orgs = await managedOrganisations(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin);
    const org = orgs.find((o) => o.id === id);
    if (!org) {
      ctx.log.warn({ organisation_id: id, user_id: ctx.user?.id }, "refused: organisation outside scope");
      await ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
    }
    return org;
  };

  c.callbackQuery(/^inv:o:(\d+)$/, async (ctx) => {
    const org = await allowedOrg(ctx, Number(ctx.match[1]));
    if (!org) return;
    await ctx.answerCallbackQuery();
    const choices: InviteChoice[] = [...INVITE_ROLES, ...((await programmeScope(ctx)) ? (["programme"] as const) : [])];
    await ctx.editMessageText(ctx.t("orgs.invite_pick_role", { org: org.name }), {
      parse_mode: "HTML",
      reply_markup: keyboard(choices.map((r) => ({ text: ctx.t(`roles.${r}`), data: `inv:r:${org.id}:${r}` }))),
    });
  });

  c.callbackQuery(/^inv:r:(\d+):(\w+)$/, async (ctx) => {
    const org = await allowedOrg(ctx, Number(ctx.match[1]));
    const role = ctx.match[2]!;
    if (!org) return;
    if (!(await validChoice(ctx, role))) return refuseChoice(ctx, role);
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t("orgs.invite_pick_uses", { org: org.name, role: ctx.t(`roles.${role}`) }), {
      parse_mode: "HTML",
      reply_markup: keyboard(
        INVITE_USES.map((u) => ({ text: String(u), data: `inv:u:${org.id}:${role}:${u}` })),
        4,
      ),
    });
  });

  c.callbackQuery(/^inv:u:(\d+):(\w+):(\d+)$/, async (ctx) => {
    const org = await allowedOrg(ctx, Number(ctx.match[1]));
    const role = ctx.match[2]!;
    const uses = Number(ctx.match[3]);
    if (!org) return;
    if (!(await validChoice(ctx, role)) || !INVITE_USES.includes(uses)) return refuseChoice(ctx, role);
    await ctx.answerCallbackQuery();
    // The nonce makes the final press idempotent: pressing twice creates one invite.
    const nonce = randomBytes(6).toString("base64url");
    await ctx.editMessageText(ctx.t("orgs.invite_pick_days", { org: org.name, role: ctx.t(`roles.${role}`), uses }), {
      parse_mode: "HTML",
      reply_markup: keyboard(
        INVITE_DAYS.map((d) => ({ text: ctx.t("orgs.days", { count: d, n: d }), data: `inv:d:${org.id}:${role}:${uses}:${d}:${nonce}` })),
        2,
      ),
    });
  });

  c.callbackQuery(/^inv:d:(\d+):(\w+):(\d+):(\d+):([\w-]+)$/, async (ctx) => {
    const org = await allowedOrg(ctx, Number(ctx.match[1]));
    const role = ctx.match[2]!;
    const uses = Number(ctx.match[3]);
    const days = Number(ctx.match[4]);
    if (!org) return;
    if (!(await validChoice(ctx, role)) || !INVITE_USES.includes(uses) || !INVITE_DAYS.includes(days)) return refuseChoice(ctx, role);
    const requestKey = `${ctx.from.id}:${ctx.match[5]}`;
    const { prisma } = ctx.deps;
    if (await prisma.invite.findUnique({ where: { requestKey } })) {
      return ctx.answerCallbackQuery({ text: ctx.t("orgs.invite_already_created") });
    }
    let created: Awaited<ReturnType<typeof createInvite>>;
    try {
      // In a transaction of its own (a savepoint inside the update's): a duplicate key is caught below.
      created = await prisma.$transaction((tx) =>
        createInvite(
          tx as Db,
          {
            organisationId: org.id,
            role: role === "programme" ? "coordinator" : (role as Role),
            programmeWide: role === "programme",
            maxUses: uses,
            days,
            createdById: ctx.user?.id,
            requestKey,
          },
          ctx.deps.now?.() ?? new Date(),
        ),
      );
    } catch (e) {
      if (isUniqueViolation(e)) return ctx.answerCallbackQuery({ text: ctx.t("orgs.invite_already_created") });
      throw e;
    }
    await ctx.answerCallbackQuery();
    ctx.log.info({ invite_id: created.invite.id, organisation_id: org.id, role }, "invite created");
    const link = inviteLink(ctx.me.username, created.code);
    await ctx.editMessageText(
      ctx.t("orgs.invite_created", {
        org: org.name,
        role: ctx.t(`roles.${role}`),
        uses,
        expires: formatDay(created.invite.expiresAt, ctx.lang, ctx.config.timeZone),
        link,
      }),
      {
        parse_mode: "HTML",
        link_preview_options: { is_disabled: true },
        reply_markup: keyboard([{ text: ctx.t("orgs.invite_revoke"), data: `inv:x:${created.invite.id}` }]),
      },
    );
  });

  c.callbackQuery(/^inv:x:(\d+)$/, async (ctx) => {
    const scope = await coordinatorScope(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin);
    const done = await revokeInvite(ctx.deps.prisma, scope, Number(ctx.match[1]), ctx.deps.now?.() ?? new Date());
    if (done === "not_allowed") {
      ctx.log.warn({ invite_id: Number(ctx.match[1]), user_id: ctx.user?.id }, "refused: invite outside scope");
      return ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
    }
    if (done === "already") return ctx.answerCallbackQuery({ text: ctx.t("errors.already_done") });
    ctx.log.info({ invite_id: Number(ctx.match[1]), by: ctx.user?.id }, "invite revoked");
    await ctx.answerCallbackQuery({ text: ctx.t("orgs.invite_revoked"), show_alert: true });
    await ctx.editMessageReplyMarkup({ reply_markup: undefined });
    await ctx.reply(ctx.t("orgs.invite_revoked"));
  });

  return c;
}
