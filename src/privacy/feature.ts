/**
 * /privacy: what the bot stores about the person asking, and — for a leader — deleting their
 * personal data. Their statements stay in the programme's record, shown as "author removed";
 * the coordinators of their organisations are told.
 */
import { Composer } from "grammy";
import type { Db } from "../platform/db/client.js";
import { Prisma, type User } from "../generated/prisma/client.js";
import { isLang } from "../platform/i18n/index.js";
import { formatDay } from "../platform/i18n/format.js";
import type { BotContext } from "../shared/context.js";
import { keyboard } from "../platform/telegram/keyboard.js";
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

const mayDelete = (ctx: BotContext) => mayDeletePersonalData(ctx.deps.prisma, ctx.user, ctx.isAdmin);

async function summary(ctx: BotContext): Promise<string> {
  const { prisma } = ctx.deps;
  const user = ctx.user;
  if (!user) return ctx.t("privacy.nothing", { id: ctx.from!.id });
  const [memberships, byStatus, thread, assignments, subscription, evidence] = await Promise.all([
    prisma.membership.findMany({ where: { userId: user.id }, include: { organisation: true }, orderBy: { id: "asc" } }),
    prisma.outcome.groupBy({ by: ["status"], where: { authorId: user.id, discardedAt: null }, _count: { _all: true } }),
    prisma.threadMessage.count({ where: { authorId: user.id } }),
    prisma.substantiationAssignment.count({ where: { userId: user.id } }),
    prisma.digestSubscription.findUnique({ where: { userId: user.id } }),
    prisma.outcomeEvidence.count({ where: { outcome: { authorId: user.id } } }),
  ]);
  const t = ctx.t;
  const lang = ctx.lang;
  const lines = [
    t("privacy.title"),
    "",
    t("privacy.identity", { id: Number(user.telegramId), name: user.displayName, username: user.username ? `@${user.username}` : "—" }),
    t("privacy.language", { language: isLang(user.language) ? t(`languages.${user.language}`) : "—" }),
    t("privacy.consent", { date: user.consentAt ? formatDay(user.consentAt, lang, ctx.config.timeZone) : "—" }),
    t("privacy.memberships", {
      list: memberships.length
        ? memberships.map((m) => `${m.organisation.name} (${t(`roles.${m.role}`)}${m.active ? "" : `, ${t("privacy.inactive")}`})`).join(", ")
        : "—",
    }),
    t("privacy.statements", {
      count: byStatus.reduce((n, s) => n + s._count._all, 0),
      detail: byStatus.map((s) => t("privacy.status_count", { status: t(`status.${s.status}`), n: s._count._all })).join(", ") || "—",
    }),
    t("privacy.evidence", { count: evidence }),
    t("privacy.thread", { count: thread }),
    t("privacy.assignments", { count: assignments }),
    t("privacy.digest", { value: subscription ? t(`digest.frequency.${subscription.frequency}`) : "—" }),
    "",
    t("privacy.purpose"),
  ];
  return lines.join("\n");
}

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

export function privacyFeature() {
  const composer = new Composer<BotContext>();
  const pm = composer.chatType("private");

  pm.command("privacy", async (ctx) => {
    const text = await summary(ctx);
    const buttons = (await mayDelete(ctx)) ? keyboard([{ text: ctx.t("privacy.delete_button"), data: "pv:ask" }]) : undefined;
    await ctx.reply(text, { reply_markup: buttons });
  });

  pm.callbackQuery("pv:ask", async (ctx) => {
    if (!(await mayDelete(ctx))) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    await ctx.reply(ctx.t("privacy.confirm"), {
      reply_markup: keyboard([
        { text: ctx.t("privacy.confirm_yes"), data: "pv:yes" },
        { text: ctx.t("privacy.confirm_no"), data: "pv:no" },
      ]),
    });
  });

  pm.callbackQuery("pv:no", async (ctx) => {
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    await ctx.reply(ctx.t("privacy.kept"));
  });

  pm.callbackQuery("pv:yes", async (ctx) => {
    // Checked again at the press: the button may be old, or pressed twice.
    if (!(await mayDelete(ctx))) return ctx.answerCallbackQuery({ text: ctx.t("errors.stale_button") });
    await ctx.answerCallbackQuery();
    await ctx.editMessageReplyMarkup().catch(() => {});
    const done = await deletePersonalData(ctx.deps.prisma, ctx.user!, ctx.deps.now?.() ?? new Date(), ctx.isAdmin);
    if (!done) return;
    ctx.log.info({ user_id: ctx.user!.id, statements_kept: done.kept, coordinators_told: done.told }, "personal data deleted on request");
    await ctx.api.setMyCommands([], { scope: { type: "chat", chat_id: ctx.chat.id } }).catch(() => {});
    await ctx.reply(ctx.t("privacy.deleted", { count: done.kept }));
  });

  return composer;
}
