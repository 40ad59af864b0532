/**
 * Reminds substantiators who opened their link but have not sent their answers: after the
 * configured number of days without an answer, at most twice. Claiming a reminder is a
 * conditional update, so two instances (or a restart mid-run) never send the same one twice.
 */
import { continueKeyboard } from "./views.js";
import type { Config } from "../platform/config.js";
import type { Db } from "../platform/db/client.js";
import type { Logger } from "../platform/logger.js";
import { notify } from "../platform/telegram/notify.js";
import { MAX_REMINDERS } from "./service.js";

export interface ReminderDeps {
  prisma: Db;
  logger: Logger;
}

/** Sends the reminders that are due at `now`; returns how many were sent. */
export async function sendDueReminders(deps: ReminderDeps, config: Pick<Config, "substantiationReminderDays">, now: Date): Promise<number> {
  const { prisma } = deps;
  const waitMs = config.substantiationReminderDays * 86_400_000;
  const open = await prisma.substantiationAssignment.findMany({
    where: { status: { in: ["opened", "answering"] }, userId: { not: null }, remindersSent: { lt: MAX_REMINDERS } },
    include: { user: true, answers: { select: { updatedAt: true } } },
  });
  let sent = 0;
  for (const a of open) {
    const times = [a.openedAt, a.lastReminderAt, ...a.answers.map((x) => x.updatedAt)].filter((d): d is Date => Boolean(d));
    const lastActivity = Math.max(a.createdAt.getTime(), ...times.map((d) => d.getTime()));
    if (now.getTime() - lastActivity < waitMs) continue;
    // Claim and queue together: a reminder is counted only with its message queued, once.
    const queued = await prisma.$transaction(async (tx) => {
      const claimed = await tx.substantiationAssignment.updateMany({
        where: { id: a.id, remindersSent: a.remindersSent, status: { in: ["opened", "answering"] } },
        data: { remindersSent: { increment: 1 }, lastReminderAt: now },
      });
      if (claimed.count !== 1) return false;
      await notify(tx, a.user!, "substantiation.reminder", { id: a.outcomeId }, (t) => continueKeyboard(t, a), {
        kind: "reminder",
        dedupeKey: `reminder:${a.id}:${a.remindersSent + 1}`,
      });
      return true;
    });
    if (!queued) continue;
    deps.logger.info({ assignment_id: a.id, reminder: a.remindersSent + 1 }, "substantiation reminder queued");
    sent++;
  }
  return sent;
}

/** Checks for due reminders every `everyMs` (and once at start); returns a function that stops it. */
export function startReminders(deps: ReminderDeps, config: Pick<Config, "substantiationReminderDays">, everyMs = 3_600_000, clock = () => new Date()) {
  const run = () => sendDueReminders(deps, config, clock()).catch((e) => deps.logger.error({ err: String(e) }, "reminder run failed"));
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
