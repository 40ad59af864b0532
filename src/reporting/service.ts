/**
 * Periodic digests for coordinators. Exactly one per coordinator and period: the period key is
 * unique in `digest_runs`, so a second instance, a second run after a restart, or a late run
 * after downtime finds the row and sends nothing again. A period missed while the bot was down
 * is sent once when it is back, marked late (only the latest period: nobody wants a backlog).
 */
import { perQuestion } from "../harvest/questions.js";
import type { Config } from "../platform/config.js";
import type { Db } from "../platform/db/client.js";
import { isLang, translator, type Lang } from "../platform/i18n/index.js";
import type { Logger } from "../platform/logger.js";
import { type Actor, coordinatorScope, outcomeInScope, scopeFilter, type Scope } from "../shared/access.js";
import { type Digest, digestKeyboard, digestView } from "./views.js";

export type { Digest };
import { enqueue, wakeSendQueues, type Outgoing } from "../platform/telegram/outbox.js";
import { chartData, renderChart } from "./charts.js";
import { runNoticeBatches } from "../review/submitted.js";
import { latestPeriod, periodKey, scheduleOf } from "./schedule.js";
import { narrowScope } from "../shared/access.js";

export const LATE_AFTER_MS = 2 * 3_600_000;
export const MAX_NEW_LINES = 15;

/** The digest of one coordinator's scope for [from, to), in their language. */
export async function buildDigest(
  prisma: Db,
  input: { scope: Scope; from: Date; to: Date; now: Date; lang: Lang; timeZone: string; reminderDays: number; late: boolean },
): Promise<Digest> {
  const inScope = { discardedAt: null, ...scopeFilter(input.scope) };
  const range = { gte: input.from, lt: input.to };
  // Counted in the database: a digest over thousands of statements loads only what it shows.
  const submittedWhere = { ...inScope, submittedAt: range };
  // Per organisation in scope, a joint outcome counts for its lead and for each contributing
  // organisation; the total counts it once.
  const orgsInScope = input.scope.all ? {} : { organisationId: { in: input.scope.orgIds } };
  const [perOrgCounts, jointCounts, submittedCount, shown, waitingCount, oldestWaiting, oldestSubmitted, questions, decidedCounts] = await Promise.all([
    prisma.outcome.groupBy({
      by: ["organisationId"],
      where: { ...submittedWhere, ...orgsInScope },
      _count: { _all: true },
      orderBy: { organisationId: "asc" },
    }),
    prisma.outcomeOrganisation.groupBy({
      by: ["organisationId"],
      where: { outcome: submittedWhere, ...orgsInScope },
      _count: { _all: true },
      orderBy: { organisationId: "asc" },
    }),
    prisma.outcome.count({ where: submittedWhere }),
    prisma.outcome.findMany({
      where: submittedWhere,
      select: { id: true, description: true, actorName: true, organisation: { select: { name: true } } },
      orderBy: { id: "asc" },
      take: MAX_NEW_LINES,
    }),
    prisma.outcome.count({ where: { ...inScope, status: "submitted" } }),
    prisma.outcome.aggregate({ where: { ...inScope, status: "submitted", waitingSince: { not: null } }, _min: { waitingSince: true } }),
    prisma.outcome.aggregate({ where: { ...inScope, status: "submitted", waitingSince: null }, _min: { submittedAt: true } }),
    prisma.threadMessage.count({ where: { kind: "question", answeredAt: null, outcome: inScope } }),
    prisma.outcomeEvent.groupBy({
      by: ["newValue"],
      where: { type: "status_changed", newValue: { in: ["accepted", "rejected"] }, createdAt: range, outcome: inScope },
      _count: { _all: true },
      orderBy: { newValue: "asc" },
    }),
  ]);
  const perOrg = new Map<number, number>();
  for (const g of [...perOrgCounts, ...jointCounts]) perOrg.set(g.organisationId, (perOrg.get(g.organisationId) ?? 0) + g._count._all);
  const oldestTimes = [oldestWaiting._min.waitingSince, oldestSubmitted._min.submittedAt].filter((d): d is Date => Boolean(d)).map((d) => d.getTime());
  const oldest = waitingCount ? (oldestTimes.length ? Math.min(...oldestTimes) : input.now.getTime()) : undefined;
  const accepted = decidedCounts.find((g) => g.newValue === "accepted")?._count._all ?? 0;
  const rejected = decidedCounts.find((g) => g.newValue === "rejected")?._count._all ?? 0;
  const assignments = await prisma.substantiationAssignment.findMany({
    where: { substantiation: { outcome: inScope } },
    include: { answers: { select: { updatedAt: true } } },
  });
  const open = assignments.filter((a) => ["invited", "opened", "answering"].includes(a.status));
  const answered = assignments.filter((a) => a.status === "submitted" && a.submittedAt && a.submittedAt >= input.from && a.submittedAt < input.to).length;
  const overdue = open.filter((a) => {
    const last = Math.max(a.createdAt.getTime(), a.openedAt?.getTime() ?? 0, ...a.answers.map((x) => x.updatedAt.getTime()));
    return input.now.getTime() - last > input.reminderDays * 86_400_000;
  }).length;

  return digestView(translator(input.lang), input, {
    submittedCount,
    accepted,
    rejected,
    answered,
    waitingCount,
    questions,
    open: open.length,
    overdue,
    oldest,
    perOrg: [...perOrg].sort(([a], [b]) => a - b).map(([organisationId, n]) => ({ organisationId, n })),
    perQuestion: await perQuestion(prisma, submittedWhere),
    shown: shown.map((o) => ({ id: o.id, organisation: o.organisation.name, description: o.description, actorName: o.actorName })),
    names: async (ids) =>
      new Map((await prisma.organisation.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })).map((o) => [o.id, o.name])),
  });
}

export interface DigestDeps {
  prisma: Db;
  logger: Logger;
}

/** Coordinators: everyone with an active coordinator membership, and the admins who have a row. */
async function coordinators(prisma: Db, config: Pick<Config, "adminTelegramIds">) {
  return prisma.user.findMany({
    where: {
      consentAt: { not: null },
      OR: [{ memberships: { some: { role: "coordinator", active: true } } }, { telegramId: { in: [...config.adminTelegramIds].map((id) => BigInt(id)) } }],
    },
  });
}

/**
 * Sends every digest due at `now` through the send queue; returns how many were queued. The
 * claim (a unique row per coordinator and period) and the queued messages are written in one
 * transaction: either both exist or neither, so a digest is never lost or queued twice, from
 * any number of instances. The queue then delivers it once.
 */
export async function runDigests(deps: DigestDeps, config: Pick<Config, "adminTelegramIds" | "timeZone" | "substantiationReminderDays">, now: Date) {
  const { prisma, logger } = deps;
  let queued = 0;
  for (const user of await coordinators(prisma, config)) {
    const sub = scheduleOf(await prisma.digestSubscription.findUnique({ where: { userId: user.id } }));
    const period = latestPeriod(sub, now, config.timeZone);
    if (!period || period.end <= user.createdAt) continue;
    const key = periodKey(sub, period.end);
    if (await prisma.digestRun.findUnique({ where: { userId_periodKey: { userId: user.id, periodKey: key } } })) continue;
    const isAdmin = config.adminTelegramIds.has(Number(user.telegramId));
    const fullScope = await coordinatorScope(prisma, user.id, isAdmin);
    if (!fullScope) continue;
    const late = now.getTime() - period.end.getTime() > LATE_AFTER_MS;
    const lang: Lang = isLang(user.language) ? user.language : "en";
    const scope = narrowScope(fullScope, sub.organisationIds);
    const digest = await buildDigest(prisma, {
      scope,
      from: period.start,
      to: period.end,
      now,
      lang,
      timeZone: config.timeZone,
      reminderDays: config.substantiationReminderDays,
      late,
    });
    const skip = digest.empty && !sub.sendEmpty;
    const messages: Outgoing[] = [];
    if (!skip) {
      const base = `digest:${user.id}:${key}`;
      messages.push({
        chatId: user.telegramId,
        payload: {
          text: digest.text,
          parse_mode: "HTML",
          ...(digest.buttons.length ? { reply_markup: digestKeyboard(digest) } : {}),
        },
        kind: "digest",
        dedupeKey: base,
      });
      if (sub.frequency === "monthly" && !digest.empty) {
        const months = { from: period.start.toISOString().slice(0, 7), to: new Date(period.end.getTime() - 1).toISOString().slice(0, 7) };
        for (const chart of await chartData(prisma, scope, months, lang)) {
          messages.push({
            chatId: user.telegramId,
            method: "sendPhoto",
            payload: { caption: chart.title },
            file: { bytes: await renderChart(chart, lang), name: `${chart.key}.png` },
            kind: "digest",
            dedupeKey: `${base}:${chart.key}`,
          });
        }
      }
    }
    const claimed = await prisma.$transaction(async (tx) => {
      const created = await tx.digestRun.createMany({
        data: [
          {
            userId: user.id,
            periodKey: key,
            periodStart: period.start,
            periodEnd: period.end,
            late,
            status: skip ? "skipped" : "sent",
            claimedAt: now,
            sentAt: skip ? null : now,
          },
        ],
        skipDuplicates: true,
      });
      if (created.count !== 1) return false; // another instance has it
      await enqueue(tx, messages);
      return true;
    });
    if (!claimed || skip) continue;
    queued++;
    wakeSendQueues();
    logger.info({ user_id: user.id, period: key, late, messages: messages.length }, "digest queued");
  }
  return queued;
}

/** Checks for due digests every `everyMs` and once at start; returns a function that stops it. */
export function startDigests(deps: DigestDeps, config: Pick<Config, "adminTelegramIds" | "timeZone" | "substantiationReminderDays">, everyMs = 60_000) {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      await runDigests(deps, config, new Date());
      await runNoticeBatches(deps, config, new Date());
    } catch (e) {
      deps.logger.error({ err: String(e) }, "digest run failed");
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

// ---------------------------------------------------------------------------------------------
// A coordinator's settings, a statement's history, names for headings

/** The coordinator's digest subscription row (none: the defaults). */
export function digestSubscriptionOf(prisma: Db, userId: number) {
  return prisma.digestSubscription.findUnique({ where: { userId } });
}

/** Saves the digest settings (schedule, organisations, empty digests). */
export async function saveDigestSettings(prisma: Db, userId: number, next: ReturnType<typeof scheduleOf>) {
  await prisma.digestSubscription.upsert({ where: { userId }, create: { userId, ...next }, update: next });
}

/** Saves how the coordinator hears of new statements: each, hourly, or not at all. */
export async function saveNoticeChoice(prisma: Db, userId: number, choice: string) {
  await prisma.digestSubscription.upsert({ where: { userId }, create: { userId, submitNotices: choice }, update: { submitNotices: choice } });
}

/** The event log of one statement, for its author or a coordinator in scope; undefined for anyone else. */
export async function historyOf(prisma: Db, actor: Actor, id: number) {
  const o = await prisma.outcome.findUnique({ where: { id }, include: { contributors: true } });
  const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
  const allowed = o && (o.authorId === actor.userId || (o.status !== "draft" && outcomeInScope(scope, o)));
  if (!allowed) return undefined;
  return prisma.outcomeEvent.findMany({ where: { outcomeId: id }, orderBy: { id: "asc" }, include: { actor: true } });
}

/** An organisation's name for a heading (0: none, the caller says "all organisations"). */
export async function organisationName(prisma: Db, id: number): Promise<string | undefined> {
  return id ? ((await prisma.organisation.findUnique({ where: { id } }))?.name ?? "") : undefined;
}
