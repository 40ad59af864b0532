/**
 * Onboarding in the chat: /start (with an invite), language, consent, /language, /help; the
 * access gate; /neworg, /orgs and the /invite flow; /members. Each handler reads the press or
 * the command, calls the service (which checks the person's scope) and shows the view.
 */
import { actorOf, now } from "../shared/chat.js";
import { randomBytes } from "node:crypto";
import { Composer } from "grammy";
import { inHarvest } from "../harvest/active.js";
import { isLang, LANGUAGES, type Lang, type T, translator } from "../platform/i18n/index.js";
import { onButton } from "../platform/telegram/callbacks.js";
import { notify } from "../platform/telegram/notify.js";
import { readPending } from "../shared/pending.js";
import type { Role } from "../generated/prisma/client.js";
import { managedOrganisations } from "../shared/access.js";
import type { BotContext } from "../shared/context.js";
import { registerChatCommands } from "../shared/menus.js";
import { upsertUser } from "../shared/users.js";
import {
  chooseLanguage,
  consentAnswer,
  inviteDays,
  inviteOrg,
  inviteRole,
  inviteUses,
  memberActive,
  memberCard,
  memberRole,
  membersOf,
  membersPage,
  revokeInviteButton,
} from "./callbacks.js";
import {
  changeMembership,
  checkInvite,
  createOrganisation,
  holdInvite,
  INVITE_DAYS,
  INVITE_USES,
  inviteChoices,
  ROLES,
  inviteLink,
  joinsAsStaff,
  joinWithPendingInvite,
  type MemberChange,
  managedOrganisation,
  MAX_ORG_NAME,
  membersPage as loadMembersPage,
  membershipInScope,
  organisationsWithMembers,
  recordConsent,
  requestInvite,
  revokeInvite,
  roleOf,
  setLanguage,
  whyNoAccess,
} from "./service.js";
import {
  consentView,
  helpText,
  inEveryLanguage,
  inviteCreated,
  languageKeyboard,
  memberCardView,
  memberList,
  organisationCreated,
  organisationList,
  pickInviteDays,
  pickInviteOrganisation,
  pickInviteRole,
  pickInviteUses,
  pickMembersOrganisation,
  type View,
} from "./views.js";

const show = (ctx: BotContext, v: View) => ctx.reply(v.text, { reply_markup: v.keyboard });
const edit = (ctx: BotContext, v: View) => ctx.editMessageText(v.text, { reply_markup: v.keyboard });
const menuRoleOf = (ctx: BotContext) => roleOf(ctx.deps.prisma, ctx.user, ctx.isAdmin);

/** The language of someone who has not chosen one: the configured default, or their Telegram app's when the bot speaks it. */
function knownLanguage(ctx: BotContext): Lang | undefined {
  if (isLang(ctx.user?.language)) return ctx.user.language;
  return ctx.config.defaultLocale ?? LANGUAGES.find((l) => ctx.from?.language_code?.toLowerCase().startsWith(l));
}

const firstContact = (ctx: BotContext, key: string, params?: (t: T) => Record<string, unknown>, separator?: string) =>
  inEveryLanguage(knownLanguage(ctx), key, params, separator);

async function showConsent(ctx: BotContext) {
  await show(ctx, consentView(ctx.t, await joinsAsStaff(ctx.deps.prisma, ctx.user, ctx.isAdmin)));
}

/** After language and consent: join the pending invite's organisation, then say welcome. */
async function completeOnboarding(ctx: BotContext) {
  const joined = await joinWithPendingInvite(ctx.deps.prisma, ctx.user!, now(ctx));
  ctx.user = joined.user;
  const r = joined.result;
  if (r.status === "joined" || r.status === "already_member") {
    await ctx.reply(ctx.t(r.status === "joined" ? "onboarding.joined" : "onboarding.already_member", { org: r.organisation, role: ctx.t(`roles.${r.role}`) }));
    ctx.log.info({ user_id: ctx.user.id, organisation_id: r.organisationId, role: r.role }, "joined");
  } else if (r.status !== "none") {
    ctx.log.info({ user_id: ctx.user.id, status: r.status }, "invite not redeemed");
    await ctx.reply(ctx.t(`onboarding.invite_${r.status}`, { org: r.organisation }));
  }
  const role = await menuRoleOf(ctx);
  await registerChatCommands(ctx.api, ctx.chat!.id, role, ctx.lang, ctx.config.publicUrl).catch((e) =>
    ctx.log.warn({ err: String(e) }, "setMyCommands failed"),
  );
  if (role === "guest") {
    // A refusal above already said what to do.
    if (r.status === "none" || r.status === "joined" || r.status === "already_member") await ctx.reply(ctx.t("onboarding.no_invite"));
    return;
  }
  await ctx.reply(helpText(ctx.t, ctx.lang, role));
}

/** Moves a person on to whatever onboarding still needs: language, then consent, then joining. */
async function continueOnboarding(ctx: BotContext) {
  const user = ctx.user!;
  if (!user.language) {
    // In the app's language when the bot speaks it, else in every language.
    await ctx.reply(firstContact(ctx, "onboarding.choose_language", undefined, "\n"), { reply_markup: languageKeyboard() });
  } else if (!user.consentAt) {
    await showConsent(ctx);
  } else {
    await completeOnboarding(ctx);
  }
}

/** /start, language, consent, /language and /help: these work for everyone, at any time. */
export function onboardingFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("start", async (ctx) => {
    const code = ctx.match.trim();
    if (code) {
      const check = await checkInvite(ctx.deps.prisma, code, now(ctx));
      if (check.status !== "ok") {
        ctx.log.info({ status: check.status }, "invite refused");
        await ctx.reply(firstContact(ctx, `onboarding.invite_${check.status}`));
        return;
      }
      const user = await upsertUser(ctx.deps.prisma, ctx.from!);
      ctx.user = await holdInvite(ctx.deps.prisma, user.id, check.invite.id);
      const role = check.invite.programmeWide ? "programme" : check.invite.role;
      await ctx.reply(firstContact(ctx, "onboarding.invited", (t) => ({ org: check.invite.organisation.name, role: t(`roles.${role}`) })));
      await continueOnboarding(ctx);
      return;
    }
    if (ctx.user || ctx.isAdmin) {
      ctx.user = await upsertUser(ctx.deps.prisma, ctx.from!);
      await continueOnboarding(ctx);
      return;
    }
    await ctx.reply(firstContact(ctx, "onboarding.no_invite"));
  });

  onButton(c, chooseLanguage, async (ctx, { lang }) => {
    if (!isLang(lang)) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    const hadLanguage = Boolean(ctx.user?.language);
    if (!ctx.user) {
      // Only people who came through an invite (or admins) have a row; others need an invite first.
      if (!ctx.isAdmin) {
        await ctx.answerCallbackQuery();
        await ctx.reply(ctx.t("onboarding.no_invite"));
        return;
      }
      ctx.user = await upsertUser(ctx.deps.prisma, ctx.from);
    }
    ctx.user = await setLanguage(ctx.deps.prisma, ctx.user.id, lang);
    ctx.lang = lang;
    ctx.t = translator(lang);
    await ctx.answerCallbackQuery({ text: ctx.t("onboarding.language_set") });
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (hadLanguage && ctx.user.consentAt) {
      await ctx.reply(ctx.t("onboarding.language_set"));
      await registerChatCommands(ctx.api, ctx.chat!.id, await menuRoleOf(ctx), lang, ctx.config.publicUrl).catch(() => {});
      return;
    }
    await continueOnboarding(ctx);
  });

  onButton(c, consentAnswer, async (ctx, { answer }) => {
    const user = ctx.user;
    if (!user) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (user.consentAt) return ctx.answerCallbackQuery({ text: ctx.t("onboarding.consent_already") });
    if (answer === "decline") {
      await ctx.answerCallbackQuery();
      await ctx.reply(ctx.t("onboarding.consent_declined"));
      return;
    }
    // Only the first press records consent; a second one finds it set and stops above.
    const consented = await recordConsent(ctx.deps.prisma, user.id, now(ctx));
    await ctx.answerCallbackQuery();
    if (!consented) return;
    ctx.user = consented;
    await completeOnboarding(ctx);
  });

  c.command("language", async (ctx) => {
    if (!ctx.user && !ctx.isAdmin) return ctx.reply(ctx.t("onboarding.no_invite"));
    await ctx.reply(ctx.t("onboarding.choose_language"), { reply_markup: languageKeyboard() });
  });

  c.command("help", async (ctx) => {
    const role = await menuRoleOf(ctx);
    // Someone in the middle of joining (an admin's first contact too): language and consent come
    // first, and the question still open is shown again.
    if ((role === "guest" || role === "admin") && (ctx.user || ctx.isAdmin) && !(ctx.user?.language && ctx.user.consentAt)) {
      ctx.user ??= await upsertUser(ctx.deps.prisma, ctx.from!);
      await ctx.reply(ctx.user.language ? ctx.t("help.finish_joining") : firstContact(ctx, "help.finish_joining"));
      return continueOnboarding(ctx);
    }
    let text = helpText(ctx.t, ctx.lang, role);
    if (await inHarvest(ctx)) text += `\n\n${ctx.t("help.in_harvest")}`;
    if (readPending(ctx.user?.pendingInput)) text += `\n\n${ctx.t("help.waiting_for_text")}`;
    await ctx.reply(text);
  });

  return c;
}

/** Everything after this needs a language, consent, and an active membership (or admin). */
export function accessGate(): Composer<BotContext> {
  const c = new Composer<BotContext>();
  c.use(async (ctx, next) => {
    if (!ctx.from || ctx.chat?.type !== "private") return;
    const refuse = async (key: string) => {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t(key).replace(/<[^>]+>/g, ""), show_alert: true });
      else await ctx.reply(ctx.t(key));
    };
    const user = ctx.user;
    if (!user?.language) {
      ctx.log.info("refused: not joined");
      return refuse(ctx.isAdmin ? "onboarding.send_start" : "onboarding.no_invite");
    }
    if (!user.consentAt) {
      ctx.log.info({ user_id: user.id }, "refused: no consent yet");
      if (ctx.callbackQuery) await ctx.answerCallbackQuery();
      return showConsent(ctx);
    }
    if (!ctx.isAdmin && ctx.memberCount === 0) {
      // Someone whose every membership was deactivated gets a clear refusal, and no access.
      const why = await whyNoAccess(ctx.deps.prisma, user.id);
      ctx.log.info({ user_id: user.id }, why === "deactivated" ? "refused: deactivated member" : "refused: not a member");
      return refuse(why === "deactivated" ? "onboarding.deactivated" : "onboarding.not_member");
    }
    await next();
  });
  return c;
}

/** Coordinators: /neworg (admins), /orgs, and /invite, a button flow whose every step re-checks access. */
export function organisationsFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  c.command("neworg", async (ctx) => {
    const made = await createOrganisation(ctx.deps.prisma, actorOf(ctx), ctx.match);
    switch (made.status) {
      case "not_allowed":
        ctx.log.warn({ user_id: ctx.user?.id }, "refused: not an admin");
        return ctx.reply(ctx.t("errors.not_allowed"));
      case "empty":
        return ctx.reply(ctx.t("orgs.neworg_usage"));
      case "too_long":
        return ctx.reply(ctx.t("errors.too_long", { limit: MAX_ORG_NAME, length: made.length }));
      case "exists":
        return ctx.reply(ctx.t("orgs.exists", { name: ctx.match.trim().replace(/\s+/g, " ") }));
    }
    ctx.log.info({ organisation_id: made.organisation.id }, "organisation created");
    await show(ctx, organisationCreated(ctx.t, made.organisation));
  });

  c.command("orgs", async (ctx) => {
    const orgs = await organisationsWithMembers(ctx.deps.prisma, actorOf(ctx));
    if (orgs.length === 0) return ctx.reply(ctx.t(ctx.isAdmin ? "orgs.none_admin" : "errors.not_allowed"));
    // Each organisation's button opens its member list (/members checks the scope again).
    await show(ctx, organisationList(ctx.t, orgs));
  });

  c.command("invite", async (ctx) => {
    const orgs = await managedOrganisations(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin);
    if (orgs.length === 0) return ctx.reply(ctx.t(ctx.isAdmin ? "orgs.none_admin" : "errors.not_allowed"));
    await show(ctx, pickInviteOrganisation(ctx.t, orgs));
  });

  const refuse = async (ctx: BotContext, what: Record<string, unknown>, message: string) => {
    ctx.log.warn({ user_id: ctx.user?.id, ...what }, message);
    await ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
  };

  /** The organisation and choice of a press, only if this person may invite to it and give that role. */
  const allowed = async (ctx: BotContext, orgId: number, role?: string) => {
    const org = await managedOrganisation(ctx.deps.prisma, actorOf(ctx), orgId);
    if (!org) return void (await refuse(ctx, { organisation_id: orgId }, "refused: organisation outside scope"));
    if (role !== undefined && !(await inviteChoices(ctx.deps.prisma, actorOf(ctx))).includes(role as never)) {
      return void (await refuse(ctx, { choice: role }, "invite refused: choice not allowed"));
    }
    return org;
  };

  onButton(c, inviteOrg, async (ctx, { org: id }) => {
    const org = await allowed(ctx, id);
    if (!org) return;
    await ctx.answerCallbackQuery();
    await edit(ctx, pickInviteRole(ctx.t, org, await inviteChoices(ctx.deps.prisma, actorOf(ctx))));
  });

  onButton(c, inviteRole, async (ctx, { org: id, role }) => {
    const org = await allowed(ctx, id, role);
    if (!org) return;
    await ctx.answerCallbackQuery();
    await edit(ctx, pickInviteUses(ctx.t, org, role, INVITE_USES));
  });

  onButton(c, inviteUses, async (ctx, { org: id, role, uses }) => {
    const org = await allowed(ctx, id, role);
    if (!org) return;
    await ctx.answerCallbackQuery();
    await edit(ctx, pickInviteDays(ctx.t, org, role, uses, INVITE_DAYS, randomBytes(6).toString("base64url")));
  });

  onButton(c, inviteDays, async (ctx, { org: id, role, uses, days, nonce }) => {
    const done = await requestInvite(
      ctx.deps.prisma,
      actorOf(ctx),
      { organisationId: id, choice: role, uses, days, requestKey: `${ctx.from.id}:${nonce}` },
      now(ctx),
    );
    if (done.status === "out_of_scope") return refuse(ctx, { organisation_id: id }, "refused: organisation outside scope");
    if (done.status === "invalid_choice") return refuse(ctx, { choice: role }, "invite refused: choice not allowed");
    if (done.status === "already") return ctx.answerCallbackQuery({ text: ctx.t("orgs.invite_already_created") });
    await ctx.answerCallbackQuery();
    ctx.log.info({ invite_id: done.invite.id, organisation_id: id, role }, "invite created");
    const view = inviteCreated(ctx.t, ctx.lang, ctx.config.timeZone, done.organisation, role, done.invite, inviteLink(ctx.me.username, done.code));
    await ctx.editMessageText(view.text, { link_preview_options: { is_disabled: true }, reply_markup: view.keyboard });
  });

  onButton(c, revokeInviteButton, async (ctx, { invite }) => {
    const done = await revokeInvite(ctx.deps.prisma, actorOf(ctx), invite, now(ctx));
    if (done === "not_allowed") return refuse(ctx, { invite_id: invite }, "refused: invite outside scope");
    if (done === "already") return ctx.answerCallbackQuery({ text: ctx.t("errors.already_done") });
    ctx.log.info({ invite_id: invite, by: ctx.user?.id }, "invite revoked");
    await ctx.answerCallbackQuery({ text: ctx.t("orgs.invite_revoked"), show_alert: true });
    await ctx.editMessageReplyMarkup({ reply_markup: undefined });
    await ctx.reply(ctx.t("orgs.invite_revoked"));
  });

  return c;
}

/**
 * /members: coordinators list the members of the organisations in their scope, change a
 * member's role, deactivate or reactivate them. Each press re-checks the scope.
 */
export function membersFeature(): Composer<BotContext> {
  const c = new Composer<BotContext>();

  const listMembers = async (ctx: BotContext, organisationId: number, editing: boolean, page = 0) => {
    const found = await loadMembersPage(ctx.deps.prisma, actorOf(ctx), organisationId, page);
    if (!found) {
      ctx.log.warn({ organisation_id: organisationId }, "refused: organisation outside scope");
      if (ctx.callbackQuery) return ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
      return ctx.reply(ctx.t("errors.not_allowed"));
    }
    const view = memberList(ctx.t, found);
    if (editing) await edit(ctx, view).catch(() => show(ctx, view));
    else await show(ctx, view);
  };

  const loadMembership = async (ctx: BotContext, id: number) => {
    const m = await membershipInScope(ctx.deps.prisma, actorOf(ctx), id);
    if (!m) {
      ctx.log.warn({ membership_id: id, user_id: ctx.user?.id }, "refused: membership outside scope");
      await ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
    }
    return m;
  };

  const showMember = async (ctx: BotContext, id: number, answer = true) => {
    const m = await loadMembership(ctx, id);
    if (!m) return;
    if (answer) await ctx.answerCallbackQuery();
    await edit(ctx, memberCardView(ctx.t, ctx.lang, ctx.config.timeZone, m, ROLES));
  };

  c.command("members", async (ctx) => {
    const orgs = await managedOrganisations(ctx.deps.prisma, ctx.user?.id, ctx.isAdmin);
    if (orgs.length === 0) {
      if (!ctx.isAdmin) ctx.log.warn({ user_id: ctx.user?.id }, "refused: outside the person's scope");
      return ctx.reply(ctx.t(ctx.isAdmin ? "orgs.none_admin" : "errors.not_allowed"));
    }
    if (orgs.length === 1) return listMembers(ctx, orgs[0]!.id, false);
    await show(ctx, pickMembersOrganisation(ctx.t, orgs));
  });

  onButton(c, membersOf, async (ctx, { org }) => {
    await listMembers(ctx, org, true);
    await ctx.answerCallbackQuery().catch(() => {});
  });

  onButton(c, membersPage, async (ctx, { org, page }) => {
    await listMembers(ctx, org, true, page);
    await ctx.answerCallbackQuery().catch(() => {});
  });

  onButton(c, memberCard, (ctx, { membership }) => showMember(ctx, membership));

  const change = async (ctx: BotContext, id: number, wanted: MemberChange) => {
    const m = await loadMembership(ctx, id);
    if (!m) return;
    const done = await changeMembership(ctx.deps.prisma, m.id, wanted, actorOf(ctx), now(ctx));
    if (done.status === "self") return ctx.answerCallbackQuery({ text: ctx.t("members.not_self"), show_alert: true });
    if (done.status === "invalid") return ctx.answerCallbackQuery({ text: ctx.t("errors.not_allowed"), show_alert: true });
    if (done.status === "unchanged") return ctx.answerCallbackQuery({ text: ctx.t("errors.already_done") });
    if (done.status !== "changed") {
      ctx.log.warn({ membership_id: m.id, user_id: ctx.user?.id, refusal: done.status }, "refused: membership change beyond the actor's scope");
      return ctx.answerCallbackQuery({ text: ctx.t("members.not_covered"), show_alert: true });
    }
    ctx.log.info({ membership_id: m.id, by: ctx.user?.id, ...wanted }, "membership changed");
    const key = "role" in wanted ? "members.role_changed_you" : wanted.active ? "members.reactivated_you" : "members.deactivated_you";
    await notify(ctx.deps.prisma, m.user, key, { org: m.organisation.name, role: "role" in wanted ? wanted.role : "" });
    await ctx.answerCallbackQuery({ text: ctx.t("members.saved") });
    await showMember(ctx, m.id, false);
  };

  onButton(c, memberRole, (ctx, { membership, role }) => change(ctx, membership, { role: role as Role }));
  onButton(c, memberActive, (ctx, { membership, active }) => change(ctx, membership, { active }));

  return c;
}
