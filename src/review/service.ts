/**
 * Review actions on statements. Each one runs in a transaction, checks the statement's version
 * (so two coordinators acting at once cannot both apply, and a double press applies once), and
 * appends to the event log.
 */
import { LEAD_INCLUDE, leadGapsOfRow } from "../harvest/coaching.js";
import type { Db } from "../platform/db/client.js";
import { translator } from "../platform/i18n/index.js";
import { langOf, notify } from "../platform/telegram/notify.js";
import { enqueue, FILE_FIELD, sendMethodOf } from "../platform/telegram/outbox.js";
import { type Actor, coordinatorScope, inScope, ofOrganisation, outcomeInScope, scopeFilter } from "../shared/access.js";
import { snippet } from "../shared/text.js";
import type { Outcome, OutcomeStatus, Prisma, ThreadMessage } from "../generated/prisma/client.js";
import { readDate, readPeopleCount, ymToString, type EraQuestion } from "../harvest/dates.js";
import { LIMITS } from "../harvest/steps.js";
import { prefillClassification } from "../classification/service.js";
import { nextStatus, type Action } from "./status.js";
import { authorNoticeKeyboard, fileIcon, openCardKeyboard } from "./views.js";

export { fileIcon };

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

export type { AnswerFile } from "../shared/pending.js";
import type { AnswerFile } from "../shared/pending.js";

export type AnswerResult =
  | { status: "ok"; outcome: Outcome; question: ThreadMessage; answers: ThreadMessage[]; backInQueue: boolean }
  | { status: "not_yours" }
  | { status: "already_answered" };

/** What an answer's text says in the event log when it is only files. */
const fileMark = (files: AnswerFile[]) => files.map((f) => fileIcon(f.kind)).join(" ");

/**
 * The author answers a question: appended to the thread (the text with the first file, one more
 * message per further file); the last open answer puts the statement back in the queue.
 */
export async function answerQuestion(
  prisma: Db,
  input: { questionId: number; userId: number; text?: string; files?: AnswerFile[]; now: Date },
): Promise<AnswerResult> {
  const files = input.files ?? [];
  return prisma.$transaction(async (tx) => {
    const q = await tx.threadMessage.findFirst({ where: { id: input.questionId, kind: "question" }, include: { outcome: true } });
    if (!q || q.outcome.authorId !== input.userId || q.outcome.discardedAt) return { status: "not_yours" };
    const claimed = await tx.threadMessage.updateMany({ where: { id: q.id, answeredAt: null }, data: { answeredAt: input.now } });
    if (claimed.count !== 1) return { status: "already_answered" };
    const answers = await appendAnswer(tx, q, input.userId, input.text, files);
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
    return { status: "ok", outcome, question: q, answers, backInQueue };
  });
}

async function appendAnswer(tx: Prisma.TransactionClient, q: ThreadMessage, userId: number, text: string | undefined, files: AnswerFile[]) {
  const answers: ThreadMessage[] = [];
  const [first, ...more] = files;
  answers.push(
    await tx.threadMessage.create({
      data: { outcomeId: q.outcomeId, authorId: userId, kind: "answer", text, fileId: first?.fileId, fileKind: first?.kind, replyToId: q.id },
    }),
  );
  for (const f of more) {
    answers.push(
      await tx.threadMessage.create({
        data: { outcomeId: q.outcomeId, authorId: userId, kind: "answer", fileId: f.fileId, fileKind: f.kind, replyToId: q.id },
      }),
    );
  }
  await tx.outcomeEvent.create({
    data: { outcomeId: q.outcomeId, actorId: userId, type: "answer", field: String(q.id), newValue: text ?? fileMark(files) },
  });
  return answers;
}

/** A question the author answered a moment ago: more they send is added to that answer. */
export const ADD_TO_ANSWER_MS = 15 * 60_000;

/**
 * Adds to an answer the author gave in the last ADD_TO_ANSWER_MS (a photo after the text, a
 * second thought): appended to the thread under the same question.
 */
export async function addToAnswer(prisma: Db, input: { userId: number; questionId?: number; text?: string; files?: AnswerFile[]; now: Date }) {
  return prisma.$transaction(async (tx) => {
    const own = { authorId: input.userId, discardedAt: null };
    let questionId = input.questionId;
    if (questionId === undefined) {
      const last = await tx.threadMessage.findFirst({
        where: { authorId: input.userId, kind: "answer", createdAt: { gte: new Date(input.now.getTime() - ADD_TO_ANSWER_MS) }, outcome: own },
        orderBy: { id: "desc" },
      });
      if (!last?.replyToId) return undefined;
      questionId = last.replyToId;
    }
    // Only a question about the person's own statement, that they already answered.
    const q = await tx.threadMessage.findFirst({ where: { id: questionId, kind: "question", answeredAt: { not: null }, outcome: own } });
    if (!q) return undefined;
    const answers = await appendAnswer(tx, q, input.userId, input.text, input.files ?? []);
    const outcome = await tx.outcome.findUniqueOrThrow({ where: { id: q.outcomeId } });
    return { outcome, question: q, answers };
  });
}

/** The author's questions still waiting for an answer, oldest first. */
export function openQuestions(prisma: Db, userId: number) {
  return prisma.threadMessage.findMany({
    where: { kind: "question", answeredAt: null, outcome: { authorId: userId, discardedAt: null } },
    orderBy: { id: "asc" },
  });
}

/** Parts a coordinator may edit directly, with their limits. */
export const EDITABLE_FIELDS = ["description", "actorName", "date", "place", "significance", "contribution", "peopleAffected", "womenAffected"] as const;
export type EditableField = (typeof EDITABLE_FIELDS)[number];
export const isEditableField = (s: string): s is EditableField => (EDITABLE_FIELDS as readonly string[]).includes(s);

export function fieldLimit(field: EditableField): number {
  return field === "actorName" || field === "place" || field === "date" ? LIMITS.short : field.endsWith("Affected") ? 50 : LIMITS.long;
}

/** Why a typed value cannot be read: an error key, and for a Buddhist year the question it raises. */
export interface FieldError {
  error: string;
  era?: EraQuestion;
}

/** The column changes for a typed value, or why it cannot be read. */
export function fieldChanges(field: EditableField, text: string, now: Date): { changes: Prisma.OutcomeUpdateManyMutationInput } | FieldError {
  if (field === "date") {
    const reading = readDate(text, now);
    // A Buddhist year that falls in two common years: the coordinator writes it exactly.
    if (reading && "era" in reading) return { error: "harvest.date.era_period", era: reading.era };
    if (!reading) return { error: "harvest.date.unparsed" };
    const parsed = reading.date;
    return {
      changes: { dateText: text, dateKind: parsed.kind, dateStart: ymToString(parsed.start), dateEnd: parsed.end ? ymToString(parsed.end) : null },
    };
  }
  if (field === "peopleAffected" || field === "womenAffected") {
    const n = readPeopleCount(text);
    if (n === "unit") return { error: "harvest.bad.number_unit" };
    return n === undefined ? { error: "harvest.bad.number" } : { changes: { [field]: n } };
  }
  return { changes: { [field]: text } };
}

const show = (v: unknown) => (v === null || v === undefined ? null : String(v));

export type EditResult =
  | { ok: true; outcome: Outcome }
  | { ok: false; reason: "changed" | "not_allowed" | "gone"; outcome?: Outcome }
  | ({ ok: false; reason: "invalid" } & FieldError);

/** A coordinator edits one part; recorded as their edit, with the old and new value. */
export async function editPart(
  prisma: Db,
  input: { outcomeId: number; version: number; actorId: number; field: EditableField; text: string; now: Date },
): Promise<EditResult> {
  const parsed = fieldChanges(input.field, input.text, input.now);
  if ("error" in parsed) return { ok: false, reason: "invalid", ...parsed };
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

// ---------------------------------------------------------------------------------------------
// What coordinators see: the queue and a statement's card, within their scope

export const QUEUE_PAGE = 8;
export const LIST_STATUSES: OutcomeStatus[] = ["submitted", "needs_clarification", "returned", "accepted", "rejected"];
export const isListStatus = (s: string): s is OutcomeStatus => (LIST_STATUSES as string[]).includes(s);

/** A submitted (not draft, not discarded) statement in the actor's scope, with everything its card shows; undefined otherwise. */
export async function statementForReview(prisma: Db, actor: Actor, id: number) {
  const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
  const o = await prisma.outcome.findFirst({
    where: { id, discardedAt: null, status: { not: "draft" } },
    include: {
      organisation: { select: { name: true } },
      evidence: { orderBy: { id: "asc" } },
      author: true,
      contributors: { include: { organisation: { select: { name: true } } } },
    },
  });
  return o && outcomeInScope(scope, o) ? o : undefined;
}

export type ReviewedStatement = NonNullable<Awaited<ReturnType<typeof statementForReview>>>;

/** One page of the queue (organisation 0: every one in scope), oldest waiting first; "not_allowed" outside the scope. */
export async function reviewQueue(prisma: Db, actor: Actor, q: { org: number; status: OutcomeStatus; page: number }) {
  const scope = await coordinatorScope(prisma, actor.userId, actor.isAdmin);
  if (!scope || (q.org && !inScope(scope, q.org))) return "not_allowed" as const;
  const where = { discardedAt: null, status: q.status, ...(q.org ? ofOrganisation(q.org) : scopeFilter(scope)) };
  const total = await prisma.outcome.count({ where });
  const pages = Math.max(1, Math.ceil(total / QUEUE_PAGE));
  const page = Math.min(Math.max(q.page, 0), pages - 1);
  const rows = await prisma.outcome.findMany({
    where,
    orderBy: [{ waitingSince: "asc" }, { id: "asc" }],
    skip: page * QUEUE_PAGE,
    take: QUEUE_PAGE,
    include: LEAD_INCLUDE,
  });
  const orgName = q.org ? ((await prisma.organisation.findUnique({ where: { id: q.org } }))?.name ?? "") : undefined;
  return {
    org: q.org,
    orgName,
    status: q.status,
    total,
    page,
    pages,
    rows: rows.map((o) => ({ ...o, organisation: o.organisation.name, gaps: leadGapsOfRow(o) })),
  };
}

/** A statement's review thread, oldest first, with who wrote each message. */
export function threadOf(prisma: Db, outcomeId: number) {
  return prisma.threadMessage.findMany({ where: { outcomeId }, orderBy: { id: "asc" }, include: { author: true } });
}

/** Who did the latest thing to a statement (a double press by the same person is no conflict). */
export async function latestActorOf(prisma: Db, outcomeId: number): Promise<number | null | undefined> {
  return (await prisma.outcomeEvent.findFirst({ where: { outcomeId }, orderBy: { id: "desc" } }))?.actorId;
}

// ---------------------------------------------------------------------------------------------
// The author's side

/** A question about the author's own statement; undefined for anyone else's. */
export async function ownQuestion(prisma: Db, userId: number, questionId: number) {
  const q = await prisma.threadMessage.findFirst({ where: { id: questionId, kind: "question" }, include: { outcome: true } });
  return q && q.outcome.authorId === userId ? q : undefined;
}

/** The author's own, not discarded statement; undefined for anyone else's. */
export async function ownStatement(prisma: Db, userId: number, id: number) {
  return (await prisma.outcome.findFirst({ where: { id, authorId: userId, discardedAt: null } })) ?? undefined;
}

/** Whether the person answered a question in the last ADD_TO_ANSWER_MS (more they send is added to it). */
export async function recentlyAnswered(prisma: Db, userId: number, now: Date): Promise<boolean> {
  const since = new Date(now.getTime() - ADD_TO_ANSWER_MS);
  return (await prisma.threadMessage.count({ where: { authorId: userId, kind: "answer", createdAt: { gte: since } } })) > 0;
}

// ---------------------------------------------------------------------------------------------
// Notices to other people, through the send queue (in the caller's transaction)

/**
 * Tells the author about a coordinator's action, in their language. A question that finally
 * cannot be delivered is marked in the thread and the coordinator told (review/undelivered.ts).
 */
export async function tellAuthor(prisma: Db, res: Extract<ActResult, { ok: true }>, action: CoordinatorAction) {
  // An imported statement whose author is not a bot user: there is nobody to tell.
  if (res.outcome.authorId === null) return;
  const author = await prisma.user.findUniqueOrThrow({ where: { id: res.outcome.authorId } });
  const id = res.outcome.id;
  const params = { id, text: res.message?.text ?? "", snippet: snippet(res.outcome.description ?? res.outcome.actorName) };
  await notify(prisma, author, `author.${action}`, params, (t) => authorNoticeKeyboard(t, action, id, res.message?.id), {
    ref: res.message ? `thread:${res.message.id}` : undefined,
  });
}

/** Tells the coordinator who asked about an answer (or an addition to one), with its files. */
export async function tellAsker(
  prisma: Db,
  question: ThreadMessage,
  outcomeId: number,
  key: string,
  from: { displayName: string },
  content: { text?: string; files?: AnswerFile[] },
) {
  const asker = await prisma.user.findUniqueOrThrow({ where: { id: question.authorId } });
  const files = content.files ?? [];
  const shown = content.text ?? files.map((f) => fileIcon(f.kind)).join(" ");
  await notify(prisma, asker, key, { id: outcomeId, author: from.displayName, question: snippet(question.text, 200), text: shown }, (t) =>
    openCardKeyboard(t, outcomeId),
  );
  // Spoken or shown answers: the coordinator gets the voice note, photo or file itself.
  for (const f of files) {
    const method = sendMethodOf(f.kind);
    await enqueue(prisma, {
      chatId: asker.telegramId,
      method,
      payload: {
        [FILE_FIELD[method]!]: f.fileId,
        caption: `${translator(langOf(asker))("format.ref", { id: outcomeId })} · ${from.displayName}`.slice(0, 1000),
      },
      kind: "notification",
    });
  }
}

/** Tells the coordinators who last acted on a statement (asked, returned) that the author did something. */
export async function tellReviewers(prisma: Db, outcomeId: number, key: string, from: { displayName: string } | null, params: Record<string, unknown> = {}) {
  const o = await prisma.outcome.findUnique({ where: { id: outcomeId } });
  if (!o) return;
  const last = await prisma.outcomeEvent.findFirst({
    where: { outcomeId, type: { in: ["question", "return_note", "status_changed"] }, actorId: { not: o.authorId } },
    orderBy: { id: "desc" },
    include: { actor: true },
  });
  if (!last?.actor) return;
  await notify(prisma, last.actor, key, { id: outcomeId, author: from?.displayName ?? "", ...params }, (t) => openCardKeyboard(t, outcomeId));
}
