/**
 * Review actions on statements. Each one runs in a transaction, checks the statement's version
 * (so two coordinators acting at once cannot both apply, and a double press applies once), and
 * appends to the event log.
 */
import type { Db } from "../db/client.js";
import type { Outcome, OutcomeStatus, Prisma, ThreadMessage } from "../generated/prisma/client.js";
import { parseCount, parseDate, ymToString } from "../harvest/dates.js";
import { LIMITS } from "../harvest/steps.js";
import { prefillClassification } from "./classification.js";
import { nextStatus, type Action } from "./status.js";

export type CoordinatorAction = Extract<Action, "ask" | "return" | "accept" | "reject">;

const THREAD_KIND: Partial<Record<CoordinatorAction, string>> = { ask: "question", return: "return_note", reject: "reject_reason" };

export type ActResult =
  | { ok: true; outcome: Outcome; from: OutcomeStatus; message?: ThreadMessage }
  | { ok: false; reason: "changed" | "not_allowed" | "gone"; outcome?: Outcome };

export async function act(
  prisma: Db,
  input: { outcomeId: number; version: number; actorId: number; action: CoordinatorAction; text?: string; now: Date },
): Promise<ActResult> {
  return prisma.$transaction(async (tx) => {
    const o = await tx.outcome.findFirst({ where: { id: input.outcomeId, discardedAt: null } });
    if (!o) return { ok: false, reason: "gone" };
    if (o.version !== input.version) return { ok: false, reason: "changed", outcome: o };
    const to = nextStatus(o.status, input.action);
    if (!to) return { ok: false, reason: "not_allowed", outcome: o };
    const data: Prisma.OutcomeUpdateManyMutationInput = { status: to, version: { increment: 1 } };
    if (to === "submitted") data.waitingSince = input.now;
    const taken = await tx.outcome.updateMany({ where: { id: o.id, version: input.version }, data });
    if (taken.count !== 1) return { ok: false, reason: "changed", outcome: (await tx.outcome.findUnique({ where: { id: o.id } }))! };
    if (to !== o.status) {
      await tx.outcomeEvent.create({
        data: { outcomeId: o.id, actorId: input.actorId, type: "status_changed", field: "status", oldValue: o.status, newValue: to },
      });
    }
    let message: ThreadMessage | undefined;
    const kind = THREAD_KIND[input.action];
    if (kind && input.text) {
      message = await tx.threadMessage.create({ data: { outcomeId: o.id, authorId: input.actorId, kind, text: input.text } });
      await tx.outcomeEvent.create({ data: { outcomeId: o.id, actorId: input.actorId, type: kind, newValue: input.text } });
    }
    if (input.action === "accept") await prefillClassification(tx, o, input.actorId);
    return { ok: true, outcome: (await tx.outcome.findUnique({ where: { id: o.id } }))!, from: o.status, message };
  });
}

/** Records whether a message to the author reached them. */
export async function markDelivered(prisma: Db, messageId: number, delivered: boolean) {
  await prisma.threadMessage.update({ where: { id: messageId }, data: { delivered } });
  if (!delivered) {
    const m = await prisma.threadMessage.findUniqueOrThrow({ where: { id: messageId } });
    await prisma.outcomeEvent.create({ data: { outcomeId: m.outcomeId, type: "not_delivered", field: m.kind, newValue: String(m.id) } });
  }
}

export type AnswerResult =
  | { status: "ok"; outcome: Outcome; question: ThreadMessage; answer: ThreadMessage; backInQueue: boolean }
  | { status: "not_yours" }
  | { status: "already_answered" };

/** The author answers a question: appended to the thread; the last open answer puts the statement back in the queue. */
export async function answerQuestion(
  prisma: Db,
  input: { questionId: number; userId: number; text?: string; fileId?: string; now: Date },
): Promise<AnswerResult> {
  return prisma.$transaction(async (tx) => {
    const q = await tx.threadMessage.findFirst({ where: { id: input.questionId, kind: "question" }, include: { outcome: true } });
    if (!q || q.outcome.authorId !== input.userId || q.outcome.discardedAt) return { status: "not_yours" };
    const claimed = await tx.threadMessage.updateMany({ where: { id: q.id, answeredAt: null }, data: { answeredAt: input.now } });
    if (claimed.count !== 1) return { status: "already_answered" };
    const answer = await tx.threadMessage.create({
      data: { outcomeId: q.outcomeId, authorId: input.userId, kind: "answer", text: input.text, fileId: input.fileId, replyToId: q.id },
    });
    await tx.outcomeEvent.create({
      data: { outcomeId: q.outcomeId, actorId: input.userId, type: "answer", field: String(q.id), newValue: input.text ?? "🎤" },
    });
    const open = await tx.threadMessage.count({ where: { outcomeId: q.outcomeId, kind: "question", answeredAt: null } });
    let backInQueue = false;
    if (open === 0 && nextStatus(q.outcome.status, "answer")) {
      await tx.outcome.update({
        where: { id: q.outcomeId },
        data: { status: "submitted", waitingSince: input.now, version: { increment: 1 } },
      });
      await tx.outcomeEvent.create({
        data: { outcomeId: q.outcomeId, actorId: input.userId, type: "status_changed", field: "status", oldValue: q.outcome.status, newValue: "submitted" },
      });
      backInQueue = true;
    }
    const outcome = await tx.outcome.findUniqueOrThrow({ where: { id: q.outcomeId } });
    return { status: "ok", outcome, question: q, answer, backInQueue };
  });
}

/** Parts a coordinator may edit directly, with their limits. */
export const EDITABLE_FIELDS = ["description", "actorName", "date", "place", "significance", "contribution", "peopleAffected", "womenAffected"] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
export const isEditableField = (s: string): s is EditableField => (EDITABLE_FIELDS as readonly string[]).includes(s);

export function fieldLimit(field: EditableField): number {
  return field === "actorName" || field === "place" || field === "date" ? LIMITS.short : field.endsWith("Affected") ? 50 : LIMITS.long;
}

/** The column changes for a typed value, or an error key when it cannot be read. */
export function fieldChanges(field: EditableField, text: string, now: Date): { changes: Prisma.OutcomeUpdateManyMutationInput } | { error: string } {
  if (field === "date") {
    const parsed = parseDate(text, now);
    if (!parsed) return { error: "harvest.date.unparsed" };
    return {
      changes: { dateText: text, dateKind: parsed.kind, dateStart: ymToString(parsed.start), dateEnd: parsed.end ? ymToString(parsed.end) : null },
    };
  }
  if (field === "peopleAffected" || field === "womenAffected") {
    const n = parseCount(text);
    return n === undefined ? { error: "harvest.bad.number" } : { changes: { [field]: n } };
  }
  return { changes: { [field]: text } };
}

const show = (v: unknown) => (v === null || v === undefined ? null : String(v));

export type EditResult = { ok: true; outcome: Outcome } | { ok: false; reason: "changed" | "not_allowed" | "gone"; outcome?: Outcome } | { ok: false; reason: "invalid"; error: string };

/** A coordinator edits one part; recorded as their edit, with the old and new value. */
export async function editPart(
  prisma: Db,
  input: { outcomeId: number; version: number; actorId: number; field: EditableField; text: string; now: Date },
): Promise<EditResult> {
  const parsed = fieldChanges(input.field, input.text, input.now);
  if ("error" in parsed) return { ok: false, reason: "invalid", error: parsed.error };
  return prisma.$transaction(async (tx) => {
    const o = await tx.outcome.findFirst({ where: { id: input.outcomeId, discardedAt: null } });
    if (!o) return { ok: false, reason: "gone" };
    if (o.version !== input.version) return { ok: false, reason: "changed", outcome: o };
    if (!nextStatus(o.status, "edit")) return { ok: false, reason: "not_allowed", outcome: o };
    const taken = await tx.outcome.updateMany({ where: { id: o.id, version: input.version }, data: { ...parsed.changes, version: { increment: 1 } } });
    if (taken.count !== 1) return { ok: false, reason: "changed", outcome: (await tx.outcome.findUnique({ where: { id: o.id } }))! };
    const events: Prisma.OutcomeEventCreateManyInput[] = [];
    for (const [field, value] of Object.entries(parsed.changes)) {
      const old = show((o as Record<string, unknown>)[field]);
      if (old !== show(value)) events.push({ outcomeId: o.id, actorId: input.actorId, type: "coordinator_edit", field, oldValue: old, newValue: show(value) });
    }
    if (events.length) await tx.outcomeEvent.createMany({ data: events });
    return { ok: true, outcome: (await tx.outcome.findUnique({ where: { id: o.id } }))! };
  });
}
