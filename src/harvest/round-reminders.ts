/**
 * Harvest rounds: during a round, leaders of its organisations who have not reported since it
 * started get a friendly reminder in their language, with a button that starts /new. At most
 * two per round: the first a third of the way through, the second two thirds through, and only
 * between 09:00 and 18:00 in the programme's time zone. Nobody deactivated or who paused
 * reminders gets one. Claim and queued message are one transaction: never twice.
 */
import { freshStatement, reminders } from "./callbacks.js";
import type { Config } from "../platform/config.js";
import type { Db } from "../platform/db/client.js";
import type { Logger } from "../platform/logger.js";
import { keyboard } from "../platform/telegram/keyboard.js";
import { langOf, notify } from "../platform/telegram/notify.js";
import { formatDay } from "../platform/i18n/format.js";

export const MAX_ROUND_REMINDERS = 2;
export const REMINDER_HOURS = { from: 9, to: 18 };

function localHour(d: Date, timeZone: string): number {
  return Number(new Intl.DateTimeFormat("en-US", { timeZone, hour: "numeric", hourCycle: "h23" }).format(d));
}

/** How many reminders are due by `now` in a round: 0, 1 or 2. */
export function remindersDue(round: { startsAt: Date; endsAt: Date }, now: Date): number {
  const span = round.endsAt.getTime() - round.startsAt.getTime();
  if (span <= 0 || now < round.startsAt || now >= round.endsAt) return 0;
  const passed = (now.getTime() - round.startsAt.getTime()) / span;
  return passed >= 2 / 3 ? 2 : passed >= 1 / 3 ? 1 : 0;
}

/** Queues the round reminders due at `now`; returns how many. */
export async function runRoundReminders(deps: { prisma: Db; logger: Logger }, config: Pick<Config, "timeZone">, now: Date): Promise<number> {
  const { prisma, logger } = deps;
  const hour = localHour(now, config.timeZone);
  if (hour < REMINDER_HOURS.from || hour >= REMINDER_HOURS.to) return 0;
  let queued = 0;
  const rounds = await prisma.harvestRound.findMany({ where: { startsAt: { lte: now }, endsAt: { gt: now } } });
  for (const round of rounds) {
    const due = remindersDue(round, now);
    if (due === 0) continue;
    const leaders = await prisma.user.findMany({
      where: {
        remindersPaused: false,
        consentAt: { not: null },
        memberships: { some: { role: "leader", active: true, ...(round.organisationIds.length ? { organisationId: { in: round.organisationIds } } : {}) } },
        // Not reported: nothing submitted since the round started.
        outcomes: { none: { submittedAt: { gte: round.startsAt }, discardedAt: null } },
      },
    });
    for (const leader of leaders) {
      const sent = await prisma.$transaction(async (tx) => {
        const row = await tx.roundReminder.findUnique({ where: { roundId_userId: { roundId: round.id, userId: leader.id } } });
        const count = row?.count ?? 0;
        if (count >= due || count >= MAX_ROUND_REMINDERS) return false;
        if (row) {
          const claimed = await tx.roundReminder.updateMany({
            where: { roundId: round.id, userId: leader.id, count },
            data: { count: count + 1, lastAt: now },
          });
          if (claimed.count !== 1) return false;
        } else {
          const created = await tx.roundReminder.createMany({ data: [{ roundId: round.id, userId: leader.id, count: 1, lastAt: now }], skipDuplicates: true });
          if (created.count !== 1) return false;
        }
        await notify(
          tx,
          leader,
          "rounds.reminder",
          { round: round.name, end: formatDay(round.endsAt, langOf(leader), config.timeZone) },
          (t) =>
            keyboard([
              { text: t("rounds.report_button"), data: freshStatement.data({}) },
              { text: t("rounds.pause_button"), data: reminders.data({ on: false }) },
            ]),
          { kind: "round_reminder", dedupeKey: `round:${round.id}:${leader.id}:${count + 1}` },
        );
        return true;
      });
      if (sent) queued++;
    }
  }
  if (queued) logger.info({ queued }, "harvest round reminders queued");
  return queued;
}

export function startRoundReminders(deps: { prisma: Db; logger: Logger }, config: Pick<Config, "timeZone">, everyMs = 10 * 60_000) {
  const run = () => runRoundReminders(deps, config, new Date()).catch((e) => deps.logger.error({ err: String(e) }, "round reminders failed"));
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
