import { Composer } from "grammy";
import { commandList, registerChatCommands } from "../shared/menus.js";
import { upsertUser } from "../shared/users.js";
import { isLang, LANGUAGES, translator, type Lang, type T } from "../platform/i18n/index.js";
import type { BotContext } from "../shared/context.js";
import { keyboard } from "../platform/telegram/keyboard.js";
import { checkInvite, redeemInvite } from "./invites.js";
import { readPending } from "../review/pending.js";
import { menuRole, type MenuRole } from "../shared/access.js";
import { inHarvest } from "../harvest/active.js";

import { LANGUAGE_AUTONYMS } from "../platform/i18n/format.js";

function languageKeyboard() {
  return keyboard(
    LANGUAGES.map((l) => ({ text: LANGUAGE_AUTONYMS[l], data: `lang:${l}` })),
    2,
  );
}

/**
 * The consent: a leader's tells them they can delete their data with /privacy; a coordinator's
 * (or an admin's, or a substantiator's by invitation) that their work stays in the programme's
 * record and how they leave.
 */
async function showConsent(ctx: BotContext) {
  const invite = ctx.user?.pendingInviteId ? await ctx.deps.prisma.invite.findUnique({ where: { id: ctx.user.pendingInviteId } }) : null;
  const staff = ctx.isAdmin || (invite !== null && invite.role !== "leader");
  await ctx.reply(ctx.t(staff ? "onboarding.consent_staff" : "onboarding.consent"), {
    parse_mode: "HTML",
    reply_markup: keyboard([
      { text: ctx.t("onboarding.consent_accept"), data: "consent:accept" },
      { text: ctx.t("onboarding.consent_decline"), data: "consent:decline" },
    ]),
  });
}

/** The commands this person can use, as /help shows them. */
export async function helpText(ctx: BotContext, knownRole?: MenuRole): Promise<string> {
  const role = knownRole ?? (await roleOf(ctx));
  const lines = commandList(role, ctx.lang).map((c) => `/${c.command} — ${ctx.t(`help.${c.command}`)}`);
  return `${ctx.t(`help.intro_${role}`)}\n\n${lines.join("\n")}`;
}

function roleOf(ctx: BotContext): Promise<MenuRole> {
  return menuRole(ctx.deps.prisma, ctx.user, ctx.isAdmin);
}

/**
 * A message to someone who has not chosen a language yet: in their Telegram app's language when
 * the bot speaks it (or the configured default), otherwise in every language, one after another.
 */
export function firstContact(ctx: BotContext, key: string, params: (t: T) => Record<string, unknown> = () => ({}), separator = "\n\n"): string {
  const known = isLang(ctx.user?.language) ? ctx.user!.language : (ctx.config.defaultLocale ?? languageOfApp(ctx.from?.language_code));
  const langs: readonly Lang[] = known ? [known as Lang] : LANGUAGES;
  return langs
    .map((l) => {
      const t = translator(l);
      return t(key, params(t));
    })
    .join(separator);
}

const languageOfApp = (code: string | undefined): Lang | undefined => LANGUAGES.find((l) => code?.toLowerCase().startsWith(l));

/** After language and consent: join the pending invite's organisation, then say welcome. */
async function completeOnboarding(ctx: BotContext) {
  const { prisma } = ctx.deps;
  const user = ctx.user!;
  const now = ctx.deps.now?.() ?? new Date();
  let refused = false;
  if (user.pendingInviteId) {
    const result = await redeemInvite(prisma, user.pendingInviteId, user.id, now);
    ctx.user = await prisma.user.update({ where: { id: user.id }, data: { pendingInviteId: null } });
    if (result.status === "joined" || result.status === "already_member") {
      const key = result.status === "joined" ? "onboarding.joined" : "onboarding.already_member";
      await ctx.reply(ctx.t(key, { org: result.invite.organisation.name, role: ctx.t(`roles.${result.membership.role}`) }), {
        parse_mode: "HTML",
      });
      ctx.log.info({ user_id: user.id, organisation_id: result.invite.organisationId, role: result.membership.role }, "joined");
    } else {
      const org = "invite" in result ? result.invite.organisation.name : "";
      ctx.log.info({ user_id: user.id, status: result.status }, "invite not redeemed");
      await ctx.reply(ctx.t(`onboarding.invite_${result.status}`, { org }), { parse_mode: "HTML" });
      refused = true;
    }
  }
  const role = await roleOf(ctx);
  await registerChatCommands(ctx.api, ctx.chat!.id, role, ctx.lang).catch((e) => ctx.log.warn({ err: String(e) }, "setMyCommands failed"));
  if (role === "guest") {
    // The refusal above already said what to do.
    if (!refused) await ctx.reply(ctx.t("onboarding.no_invite"), { parse_mode: "HTML" });
    return;
  }
  await ctx.reply(await helpText(ctx, role), { parse_mode: "HTML" });
}

/** Moves a person on to whatever onboarding still needs: language, then consent, then joining. */
async function continueOnboarding(ctx: BotContext) {
  const user = ctx.user!;
  if (!user.language) {
    // In the app's language when the bot speaks it, else in every language (firstContact).
    await ctx.reply(firstContact(ctx, "onboarding.choose_language", undefined, "\n"), {
      reply_markup: languageKeyboard(),
    });
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
    const { prisma } = ctx.deps;
    const code = ctx.match.trim();
    const now = ctx.deps.now?.() ?? new Date();
    if (code) {
      const check = await checkInvite(prisma, code, now);
      if (check.status !== "ok") {
        ctx.log.info({ status: check.status }, "invite refused");
        await ctx.reply(firstContact(ctx, `onboarding.invite_${check.status}`), { parse_mode: "HTML" });
        return;
      }
      ctx.user = await upsertUser(ctx.deps.prisma, ctx.from!);
      const user = ctx.user;
      ctx.user = await prisma.user.update({ where: { id: user.id }, data: { pendingInviteId: check.invite.id } });
      const role = check.invite.programmeWide ? "programme" : check.invite.role;
      await ctx.reply(
        firstContact(ctx, "onboarding.invited", (t) => ({ org: check.invite.organisation.name, role: t(`roles.${role}`) })),
        {
          parse_mode: "HTML",
        },
      );
      await continueOnboarding(ctx);
      return;
    }
    if (ctx.user || ctx.isAdmin) {
      ctx.user = await upsertUser(ctx.deps.prisma, ctx.from!);
      await continueOnboarding(ctx);
      return;
    }
    await ctx.reply(firstContact(ctx, "onboarding.no_invite"), { parse_mode: "HTML" });
  });

  c.callbackQuery(/^lang:(.+)$/, async (ctx) => {
    const lang = ctx.match[1];
    if (!isLang(lang)) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    const hadLanguage = Boolean(ctx.user?.language);
    if (!ctx.user) {
      // Only people who came through an invite (or admins) have a row; others need an invite first.
      if (!ctx.isAdmin) {
        await ctx.answerCallbackQuery();
        await ctx.reply(ctx.t("onboarding.no_invite"), { parse_mode: "HTML" });
        return;
      }
      ctx.user = await upsertUser(ctx.deps.prisma, ctx.from!);
    }
    ctx.user = await ctx.deps.prisma.user.update({ where: { id: ctx.user!.id }, data: { language: lang } });
    ctx.lang = lang;
    ctx.t = translator(lang);
    await ctx.answerCallbackQuery({ text: ctx.t("onboarding.language_set") });
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (hadLanguage && ctx.user.consentAt) {
      await ctx.reply(ctx.t("onboarding.language_set"));
      await registerChatCommands(ctx.api, ctx.chat!.id, await roleOf(ctx), lang).catch(() => {});
      return;
    }
    await continueOnboarding(ctx);
  });

  c.callbackQuery(/^consent:(accept|decline)$/, async (ctx) => {
    const user = ctx.user;
    if (!user) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.editMessageReplyMarkup().catch(() => {});
    if (user.consentAt) {
      await ctx.answerCallbackQuery({ text: ctx.t("onboarding.consent_already") });
      return;
    }
    if (ctx.match[1] === "decline") {
      await ctx.answerCallbackQuery();
      await ctx.reply(ctx.t("onboarding.consent_declined"));
      return;
    }
    const now = ctx.deps.now?.() ?? new Date();
    // Only the first press records consent; a second one finds it set and stops above.
    const updated = await ctx.deps.prisma.user.updateMany({ where: { id: user.id, consentAt: null }, data: { consentAt: now } });
    await ctx.answerCallbackQuery();
    if (updated.count === 0) return;
    ctx.user = await ctx.deps.prisma.user.findUnique({ where: { id: user.id } });
    await completeOnboarding(ctx);
  });

  c.command("language", async (ctx) => {
    if (!ctx.user && !ctx.isAdmin) {
      await ctx.reply(ctx.t("onboarding.no_invite"), { parse_mode: "HTML" });
      return;
    }
    await ctx.reply(ctx.t("onboarding.choose_language"), { reply_markup: languageKeyboard() });
  });

  c.command("help", async (ctx) => {
    const role = await roleOf(ctx);
    // Someone in the middle of joining (an admin's first contact too): language and consent come
    // first, and the question still open is shown again.
    if ((role === "guest" || role === "admin") && (ctx.user || ctx.isAdmin) && !(ctx.user?.language && ctx.user.consentAt)) {
      ctx.user ??= await upsertUser(ctx.deps.prisma, ctx.from!);
      const user = ctx.user;
      await ctx.reply(user.language ? ctx.t("help.finish_joining") : firstContact(ctx, "help.finish_joining"), { parse_mode: "HTML" });
      return continueOnboarding(ctx);
    }
    let text = await helpText(ctx, role);
    if (await inHarvest(ctx)) text += `\n\n${ctx.t("help.in_harvest")}`;
    if (readPending(ctx.user?.pendingInput)) text += `\n\n${ctx.t("help.waiting_for_text")}`;
    await ctx.reply(text, { parse_mode: "HTML" });
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
      else await ctx.reply(ctx.t(key), { parse_mode: "HTML" });
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
      const inactive = await ctx.deps.prisma.membership.count({ where: { userId: user.id, active: false } });
      ctx.log.info({ user_id: user.id }, inactive > 0 ? "refused: deactivated member" : "refused: not a member");
      return refuse(inactive > 0 ? "onboarding.deactivated" : "onboarding.not_member");
    }
    await next();
  });
  return c;
}
