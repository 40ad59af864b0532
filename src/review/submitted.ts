/**
 * Coordinators hear of a newly submitted statement: a short notice with a button to its card,
 * through the send queue, to every coordinator of its organisation (and of the whole programme,
 * and the admins). Each coordinator chooses in /digest: a notice for each statement (the
 * default), one message an hour listing them, or none.
 */
import { openCardKeyboard } from "./views.js";
import { openCard } from "./callbacks.js";
import type { Config } from "../platform/config.js";
import type { Db } from "../platform/db/client.js";
import type { Prisma } from "../generated/prisma/client.js";
import { isLang, translator } from "../platform/i18n/index.js";
import type { Logger } from "../platform/logger.js";
import { coordinatorScope, scopeFilter } from "../shared/access.js";
import { authorName } from "../shared/users.js";
import { keyboard } from "../platform/telegram/keyboard.js";
import { notify } from "../platform/telegram/notify.js";
import { enqueue, wakeSendQueues } from "../platform/telegram/outbox.js";
import { scheduleOf } from "../reporting/schedule.js";
import { narrowScope } from "../shared/access.js";
import { snippet } from "../shared/text.js";

export const NOTICE_CHOICES = ["each", "hourly", "off"] as const;
export type NoticeChoice = (typeof NOTICE_CHOICES)[number];
export const isNoticeChoice = (s: string): s is NoticeChoice => (NOTICE_CHOICES as readonly string[]).includes(s);
/** At most this many statements are listed (with buttons) in one hourly message. */
export const MAX_BATCH_LINES = 10;

type Tx = Prisma.TransactionClient | Db;

/**
 * Who coordinates an organisation (all of them: undefined): its coordinators, programme-wide
 * coordinators, admins who joined; each with their choice of notices.
 */
export async function coordinatorsOf(tx: Tx, organisationId: number | undefined, adminIds: Iterable<number>) {
  const users = await tx.user.findMany({
    where: {
      deletedAt: null,
      consentAt: { not: null },
      OR: [
        { memberships: { some: { active: true, role: "coordinator", ...(organisationId ? { organisationId } : {}) } } },
        { memberships: { some: { active: true, role: "coordinator", programmeWide: true } } },
        { telegramId: { in: [...adminIds].map((id) => BigInt(id)) } },
      ],
    },
  });
  const subs = await tx.digestSubscription.findMany({ where: { userId: { in: users.map((u) => u.id) } }, select: { userId: true, submitNotices: true } });
  const choice = new Map(subs.map((s) => [s.userId, s.submitNotices]));
  return users.map((u) => {
    const c = choice.get(u.id) ?? "each";
    return { ...u, notices: (isNoticeChoice(c) ? c : "each") as NoticeChoice };
  });
}

/** Queues the notices of one statement just submitted (called in the submitting transaction). */
export async function queueSubmissionNotices(tx: Tx, outcomeId: number, adminIds: Iterable<number>) {
  const o = await tx.outcome.findUniqueOrThrow({ where: { id: outcomeId }, include: { organisation: true, author: true } });
  for (const c of await coordinatorsOf(tx, o.organisationId, adminIds)) {
    if (c.id === o.authorId || c.notices !== "each") continue;
    const t = translator(isLang(c.language) ? c.language : "en");
    await notify(
      tx,
      c,
      "review.submitted_notice",
      { id: o.id, org: o.organisation.name, author: authorName(o, t), snippet: snippet(o.description ?? o.actorName, 80) },
      (tt) => openCardKeyboard(tt, o.id),
      { kind: "submitted_notice", dedupeKey: `submitted:${o.id}:${c.id}` },
    );
  }
}

/** The hour [start, end) before `now` (whole hours: the programme's time zones differ from UTC by whole hours). */
export function previousHour(now: Date): { start: Date; end: Date } {
  const end = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  return { start: new Date(end.getTime() - 3_600_000), end };
}

/**
 * Sends the hourly lists of new statements due at `now`: one message per coordinator who chose
 * "hourly" and had something new in the last full hour. The claim (a row in digest_runs) and the
 * queued message are one transaction, so each hour is sent once, from any number of instances.
 */
export async function runNoticeBatches(deps: { prisma: Db; logger: Logger }, config: Pick<Config, "adminTelegramIds">, now: Date): Promise<number> {
  const { prisma } = deps;
  const { start, end } = previousHour(now);
  const key = `notices:${start.toISOString().slice(0, 13)}`;
  let sent = 0;
  const hourly = (await coordinatorsOf(prisma, undefined, config.adminTelegramIds)).filter((c) => c.notices === "hourly");
  for (const c of hourly) {
    if (await prisma.digestRun.findUnique({ where: { userId_periodKey: { userId: c.id, periodKey: key } } })) continue;
    const scope = await coordinatorScope(prisma, c.id, config.adminTelegramIds.has(Number(c.telegramId)));
    if (!scope) continue;
    const sub = scheduleOf(await prisma.digestSubscription.findUnique({ where: { userId: c.id } }));
    const where = { ...scopeFilter(narrowScope(scope, sub.organisationIds)), discardedAt: null, submittedAt: { gte: start, lt: end }, authorId: { not: c.id } };
    const total = await prisma.outcome.count({ where });
    if (total === 0) continue;
    const shown = await prisma.outcome.findMany({ where, orderBy: { id: "asc" }, take: MAX_BATCH_LINES, include: { organisation: true, author: true } });
    const t = translator(isLang(c.language) ? c.language : "en");
    const lines = shown.map((o) =>
      t("review.submitted_batch_line", {
        id: o.id,
        org: o.organisation.name,
        author: authorName(o, t),
        snippet: snippet(o.description ?? o.actorName, 70),
      }),
    );
    if (total > shown.length) lines.push(t("review.submitted_batch_more", { n: total - shown.length }));
    const markup = keyboard(
      shown.map((o) => ({ text: t("review.open_button", { id: o.id }), data: openCard.data({ id: o.id }) })),
      2,
    );
    const done = await prisma.$transaction(async (tx) => {
      const claimed = await tx.digestRun.createMany({
        data: [{ userId: c.id, periodKey: key, periodStart: start, periodEnd: end, status: "sent", sentAt: now }],
        skipDuplicates: true,
      });
      if (claimed.count !== 1) return false;
      await enqueue(tx, {
        chatId: c.telegramId,
        payload: {
          text: `${t("review.submitted_batch_title", { count: total })}\n\n${lines.join("\n\n")}`,
          parse_mode: "HTML",
          reply_markup: JSON.parse(JSON.stringify(markup)),
        },
        kind: "submitted_notice",
        dedupeKey: `${key}:${c.id}`,
      });
      return true;
    });
    if (done) sent++;
  }
  if (sent) {
    wakeSendQueues();
    deps.logger.info({ sent, hour: key }, "hourly lists of new statements queued");
  }
  return sent;
}
