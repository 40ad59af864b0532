/** Database operations on outcome statements. Every write appends to the event log. */
import type { Db } from "../platform/db/client.js";
import type { Sql } from "../platform/db/sql.js";
import type { Outcome, OutcomeEvidence } from "../generated/prisma/client.js";
import { EDITABLE, nextStatus } from "../review/status.js";
import { isStep, type Step } from "./steps.js";
import { queueSubmissionNotices } from "../review/submitted.js";
import { MovedOnError } from "../shared/errors.js";

/** A statement as the conversation sees it: plain JSON, safe to keep in conversation state. */
export interface DraftView {
  id: number;
  status: string;
  language: string;
  organisationName: string;
  step: Step | null;
  description: string | null;
  actorName: string | null;
  actorType: string | null;
  dateText: string | null;
  dateKind: string | null;
  dateStart: string | null;
  dateEnd: string | null;
  place: string | null;
  significance: string | null;
  contribution: string | null;
  peopleAffected: number | null;
  womenAffected: number | null;
  expected: boolean | null;
  positive: boolean | null;
  sources: string | null;
  coachingHandled: string[];
  reviewReached: boolean;
  /** Parts answered with a voice note (kept as that part's evidence). */
  voiceParts: string[];
  /** The kinds (photo, document, voice, audio, video) of the files sent at the evidence step, one each. */
  evidenceKinds: string[];
  /** The question message whose buttons go once it is answered by typing (see conversation.ts). */
  promptMessageId: number | null;
  createdAt: string;
  submittedAt: string | null;
}

type Loaded = Outcome & { organisation: { name: string }; evidence: OutcomeEvidence[] };
const include = { organisation: { select: { name: true } }, evidence: true } as const;

export function toView(o: Loaded): DraftView {
  return {
    id: o.id,
    status: o.status,
    language: o.language,
    organisationName: o.organisation.name,
    step: isStep(o.step) ? o.step : null,
    description: o.description,
    actorName: o.actorName,
    actorType: o.actorType,
    dateText: o.dateText,
    dateKind: o.dateKind,
    dateStart: o.dateStart,
    dateEnd: o.dateEnd,
    place: o.place,
    significance: o.significance,
    contribution: o.contribution,
    peopleAffected: o.peopleAffected,
    womenAffected: o.womenAffected,
    expected: o.expected,
    positive: o.positive,
    sources: o.sources,
    coachingHandled: o.coachingHandled,
    reviewReached: o.reviewReached,
    voiceParts: [...new Set(o.evidence.filter((e) => e.kind === "voice" && e.part !== "evidence").map((e) => e.part))],
    evidenceKinds: o.evidence.filter((e) => e.part === "evidence").map((e) => e.kind),
    promptMessageId: o.promptMessageId,
    createdAt: o.createdAt.toISOString(),
    submittedAt: o.submittedAt?.toISOString() ?? null,
  };
}

/** A new draft at its first step, its "created" event, and the author's open draft, in one statement. */
export async function createDraft(sql: Sql, input: { authorId: number; organisationId: number; language: string }): Promise<DraftView> {
  const rows = await sql.query<Record<string, unknown>>(
    `WITH o AS (
       INSERT INTO "outcomes" ("organisation_id", "author_id", "language", "step", "created_at", "updated_at")
       VALUES ($1, $2, $3, 'description', timezone('UTC', now()), timezone('UTC', now()))
       RETURNING *
     ), ev AS (
       INSERT INTO "outcome_events" ("outcome_id", "actor_id", "type", "created_at") SELECT o."id", $2, 'created', timezone('UTC', now()) FROM o
     ), u AS (
       UPDATE "users" SET "active_outcome_id" = (SELECT o."id" FROM o), "updated_at" = timezone('UTC', now()) WHERE "id" = $2
     )
     SELECT ${DRAFT_COLUMNS} FROM o JOIN "organisations" g ON g."id" = o."organisation_id"`,
    [input.organisationId, input.authorId, input.language],
  );
  return toDraftView(rows[0]!);
}

/** The author's own, not discarded statement; null for anyone else's. */
export async function loadOwn(prisma: Db, outcomeId: number, authorId: number): Promise<DraftView | null> {
  const o = await prisma.outcome.findFirst({ where: { id: outcomeId, authorId, discardedAt: null }, include });
  return o ? toView(o) : null;
}

/** The author's own statement while they may still change it (a draft, or returned for revision); else null. */
export function loadOwnDraft(sql: Sql, outcomeId: number, authorId: number): Promise<DraftView | null> {
  return viewOf(sql, outcomeId, authorId);
}

const editable = { status: { in: EDITABLE }, discardedAt: null };

export type DraftChanges = Partial<
  Pick<
    Outcome,
    | "description"
    | "actorName"
    | "actorType"
    | "dateText"
    | "dateKind"
    | "dateStart"
    | "dateEnd"
    | "place"
    | "significance"
    | "contribution"
    | "peopleAffected"
    | "womenAffected"
    | "expected"
    | "positive"
    | "sources"
    | "reviewReached"
    | "promptMessageId"
  >
> & { step?: Step; coachingHandled?: string[] };

const stringify = (v: unknown) => (v === null || v === undefined ? null : Array.isArray(v) ? v.join(",") : String(v));

/** The columns an answer may change, and their SQL types. */
const COLUMNS: Record<keyof DraftChanges, [string, string]> = {
  description: ["description", "text"],
  actorName: ["actor_name", "text"],
  actorType: ["actor_type", "text"],
  dateText: ["date_text", "text"],
  dateKind: ["date_kind", "text"],
  dateStart: ["date_start", "text"],
  dateEnd: ["date_end", "text"],
  place: ["place", "text"],
  significance: ["significance", "text"],
  contribution: ["contribution", "text"],
  peopleAffected: ["people_affected", "int"],
  womenAffected: ["women_affected", "int"],
  expected: ["expected", "boolean"],
  positive: ["positive", "boolean"],
  sources: ["sources", "text"],
  reviewReached: ["review_reached", "boolean"],
  promptMessageId: ["prompt_message_id", "int"],
  step: ["step", "text"],
  coachingHandled: ["coaching_handled", "text[]"],
};

const epoch = (column: string) => `(extract(epoch from o."${column}") * 1000)::float8 AS "${column}"`;

/**
 * The open draft `o` (of organisation `g`) as toDraftView reads it. Also read inside the first
 * query of every update (app/prefetch.ts), for the draft the person is writing.
 */
export const DRAFT_COLUMNS = `o."id", o."status"::text AS "status", o."language", g."name" AS "organisation_name", o."step", o."description",
  o."actor_name", o."actor_type", o."date_text", o."date_kind", o."date_start", o."date_end", o."place",
  o."significance", o."contribution", o."people_affected", o."women_affected", o."expected", o."positive",
  o."sources", o."coaching_handled", o."review_reached", ${epoch("created_at")}, ${epoch("submitted_at")},
  ARRAY(SELECT e."part" FROM "outcome_evidence" e WHERE e."outcome_id" = o."id" AND e."kind" = 'voice' AND e."part" <> 'evidence' ORDER BY e."id") AS "voice_parts",
  ARRAY(SELECT e."kind" FROM "outcome_evidence" e WHERE e."outcome_id" = o."id" AND e."part" = 'evidence' ORDER BY e."id") AS "evidence_kinds",
  o."prompt_message_id"`;

/** The condition on `o` for a draft its author may still change. */
export const OPEN_DRAFT = `o."discarded_at" IS NULL AND o."status"::text IN (${EDITABLE.map((s) => `'${s}'`).join(", ")})`;

export function toDraftView(r: Record<string, unknown>): DraftView {
  const str = (v: unknown) => (v === null || v === undefined ? null : String(v));
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  const bool = (v: unknown) => (v === null || v === undefined ? null : Boolean(v));
  return {
    id: Number(r.id),
    status: String(r.status),
    language: String(r.language),
    organisationName: String(r.organisation_name),
    step: isStep(r.step as string) ? (r.step as Step) : null,
    description: str(r.description),
    actorName: str(r.actor_name),
    actorType: str(r.actor_type),
    dateText: str(r.date_text),
    dateKind: str(r.date_kind),
    dateStart: str(r.date_start),
    dateEnd: str(r.date_end),
    place: str(r.place),
    significance: str(r.significance),
    contribution: str(r.contribution),
    peopleAffected: num(r.people_affected),
    womenAffected: num(r.women_affected),
    expected: bool(r.expected),
    positive: bool(r.positive),
    sources: str(r.sources),
    coachingHandled: (r.coaching_handled as string[] | null) ?? [],
    reviewReached: Boolean(r.review_reached),
    voiceParts: [...new Set((r.voice_parts as string[] | null) ?? [])],
    evidenceKinds: (r.evidence_kinds as string[] | null) ?? [],
    promptMessageId: num(r.prompt_message_id),
    createdAt: new Date(Number(r.created_at)).toISOString(),
    submittedAt: r.submitted_at === null || r.submitted_at === undefined ? null : new Date(Number(r.submitted_at)).toISOString(),
  };
}

/** One statement as the conversation sees it, read in plain SQL (this runs on every answer). */
async function viewOf(sql: Sql, outcomeId: number, authorId: number): Promise<DraftView | null> {
  const rows = await sql.query<Record<string, unknown>>(
    `SELECT ${DRAFT_COLUMNS}
       FROM "outcomes" o JOIN "organisations" g ON g."id" = o."organisation_id"
      WHERE o."id" = $1 AND o."author_id" = $2 AND ${OPEN_DRAFT}`,
    [outcomeId, authorId],
  );
  return rows[0] ? toDraftView(rows[0]) : null;
}

/**
 * Saves an answer as it arrives: updates the draft and appends one event per changed field, in
 * one statement (so both happen or neither). Only the author's own open draft can change.
 * Plain SQL: this runs on every answer of every leader.
 */
export async function saveDraft(sql: Sql, outcomeId: number, authorId: number, changes: DraftChanges, current?: DraftView): Promise<DraftView> {
  // `current`: the draft as the caller read it in this same update (the old values of the events).
  const before = current ?? (await viewOf(sql, outcomeId, authorId));
  if (!before) throw new DraftGoneError(outcomeId);
  const entries = Object.entries(changes).filter(([field, value]) => field in COLUMNS && value !== undefined) as Array<[keyof DraftChanges, unknown]>;
  const events: Array<[string, string | null, string | null]> = [];
  for (const [field, value] of entries) {
    if (field === "step" || field === "reviewReached" || field === "promptMessageId") continue;
    const old = stringify((before as unknown as Record<string, unknown>)[field]);
    const now = stringify(value);
    if (old !== now) events.push([field, old, now]);
  }
  const params: unknown[] = [outcomeId, authorId, EDITABLE];
  const sets = entries.map(([field, value]) => {
    const [column, type] = COLUMNS[field];
    params.push(value ?? null);
    return `"${column}" = $${params.length}::${type}`;
  });
  // Compare-and-set: only if the draft is still at the step this answer was read for.
  params.push(before.step);
  const stepParam = params.length;
  params.push(
    events.map((e) => e[0]),
    events.map((e) => e[1]),
    events.map((e) => e[2]),
  );
  const n = params.length;
  const rows = await sql.query<{ n: number }>(
    `WITH upd AS (
       UPDATE "outcomes" SET ${[...sets, `"updated_at" = timezone('UTC', now())`].join(", ")}
        WHERE "id" = $1 AND "author_id" = $2 AND "discarded_at" IS NULL AND "status"::text = ANY($3::text[])
          AND "step" IS NOT DISTINCT FROM $${stepParam}::text
        RETURNING "id"
     ), ev AS (
       INSERT INTO "outcome_events" ("outcome_id", "actor_id", "type", "field", "old_value", "new_value", "created_at")
       SELECT upd."id", $2, 'field_set', f."field", f."old", f."new", timezone('UTC', now())
         FROM upd, unnest($${n - 2}::text[], $${n - 1}::text[], $${n}::text[]) AS f("field", "old", "new")
     )
     SELECT count(*)::int AS "n" FROM upd`,
    params,
  );
  if (Number(rows[0]?.n ?? 0) !== 1) throw new DraftGoneError(outcomeId);
  return { ...before, ...(Object.fromEntries(entries) as Partial<DraftView>) };
}

export class DraftGoneError extends MovedOnError {
  constructor(id: number) {
    super(`draft ${id} is not an open draft of this author at the step read`);
  }
}

export interface IncomingFile {
  kind: "photo" | "document" | "voice" | "audio" | "video";
  fileId: string;
  fileUniqueId: string;
  fileName?: string;
  caption?: string;
}

export async function addEvidence(prisma: Db, outcomeId: number, authorId: number, part: string, f: IncomingFile, step?: Step) {
  const o = await prisma.$transaction(async (tx) => {
    const draft = await tx.outcome.findFirst({ where: { id: outcomeId, authorId, ...editable } });
    if (!draft) throw new DraftGoneError(outcomeId);
    const exists = await tx.outcomeEvidence.findFirst({ where: { outcomeId, fileUniqueId: f.fileUniqueId, part } });
    if (!exists) {
      await tx.outcomeEvidence.create({
        data: { outcomeId, part, kind: f.kind, fileId: f.fileId, fileUniqueId: f.fileUniqueId, fileName: f.fileName, caption: f.caption },
      });
      await tx.outcomeEvent.create({ data: { outcomeId, actorId: authorId, type: "evidence_added", field: part, newValue: f.kind } });
    }
    return tx.outcome.update({ where: { id: outcomeId }, data: step ? { step } : {}, include });
  });
  return toView(o);
}

/**
 * Status changes of a draft: submitted (or resubmitted after a revision), saved for later,
 * discarded (drafts only). All clear the open conversation.
 */
export async function closeDraft(
  prisma: Db,
  outcomeId: number,
  authorId: number,
  how: "submit" | "save" | "discard",
  now: Date,
  adminIds: Iterable<number> = [],
) {
  return prisma.$transaction(async (tx) => {
    const draft = await tx.outcome.findFirst({ where: { id: outcomeId, authorId, ...editable } });
    await tx.user.updateMany({ where: { id: authorId, activeOutcomeId: outcomeId }, data: { activeOutcomeId: null } });
    if (!draft) return false;
    if (how === "submit") {
      const to = nextStatus(draft.status, draft.status === "draft" ? "submit" : "resubmit")!;
      // Compare-and-set on the version read: a change in between (a coordinator's edit) stops it.
      const { count } = await tx.outcome.updateMany({
        where: { id: outcomeId, version: draft.version, status: draft.status },
        data: { status: to, submittedAt: draft.submittedAt ?? now, waitingSince: now, step: null, version: { increment: 1 } },
      });
      if (count !== 1) throw new DraftGoneError(outcomeId);
      await tx.outcomeEvent.create({
        data: { outcomeId, actorId: authorId, type: "status_changed", field: "status", oldValue: draft.status, newValue: to },
      });
      // A new statement: its coordinators are told (a resubmission tells the one who returned it).
      if (draft.status === "draft") await queueSubmissionNotices(tx, outcomeId, adminIds);
    } else if (how === "discard") {
      if (draft.status !== "draft") return false;
      await tx.outcome.update({ where: { id: outcomeId }, data: { discardedAt: now } });
      await tx.outcomeEvent.create({ data: { outcomeId, actorId: authorId, type: "discarded" } });
    } else {
      await tx.outcomeEvent.create({ data: { outcomeId, actorId: authorId, type: "saved_as_draft" } });
    }
    return true;
  });
}

export async function logEvent(prisma: Db, outcomeId: number, actorId: number, type: string, newValue?: string) {
  await prisma.outcomeEvent.create({ data: { outcomeId, actorId, type, newValue } });
}

/** The latest open draft of an author, if any. */
/** The author's most recently changed unsent draft, if any (what /new offers to continue). */
export async function latestDraft(sql: Sql, authorId: number): Promise<{ id: number; description: string | null; actorName: string | null } | null> {
  const rows = await sql.query<{ id: number; description: string | null; actor_name: string | null }>(
    `SELECT "id", "description", "actor_name" FROM "outcomes"
      WHERE "author_id" = $1 AND "status" = 'draft' AND "discarded_at" IS NULL ORDER BY "updated_at" DESC LIMIT 1`,
    [authorId],
  );
  const r = rows[0];
  return r ? { id: Number(r.id), description: r.description, actorName: r.actor_name } : null;
}

/** The answer to the question after a submission, recorded once (false: it was answered already). */
export async function recordAfterSubmit(prisma: Db, outcomeId: number, authorId: number, answer: string): Promise<boolean> {
  if (await prisma.outcomeEvent.findFirst({ where: { outcomeId, type: "asked_unexpected" } })) return false;
  await logEvent(prisma, outcomeId, authorId, "asked_unexpected", answer);
  return true;
}

/** /my shows this many statements per page. */
export const MY_PAGE_SIZE = 5;

/** Statements with something for the author to do come first: open questions, then revisions. */
const URGENCY: Record<string, number> = { needs_clarification: 0, returned: 1 };

/** A page of the author's own statements, those waiting for them first, then the latest changed. */
export async function myStatements(prisma: Db, authorId: number, page: number) {
  const where = { authorId, discardedAt: null };
  const all = await prisma.outcome.findMany({ where, select: { id: true, status: true, updatedAt: true } });
  if (all.length === 0) return undefined;
  const open = await prisma.threadMessage.findMany({ where: { kind: "question", answeredAt: null, outcome: where }, select: { outcomeId: true } });
  const asked = new Set(open.map((q) => q.outcomeId));
  const rank = (o: { id: number; status: string }) => (asked.has(o.id) ? -1 : (URGENCY[o.status] ?? 2));
  all.sort((a, b) => rank(a) - rank(b) || b.updatedAt.getTime() - a.updatedAt.getTime());
  const pages = Math.ceil(all.length / MY_PAGE_SIZE);
  const p = Math.min(Math.max(page, 0), pages - 1);
  const ids = all.slice(p * MY_PAGE_SIZE, (p + 1) * MY_PAGE_SIZE).map((o) => o.id);
  const found = await prisma.outcome.findMany({ where: { id: { in: ids } } });
  return { rows: ids.map((id) => found.find((o) => o.id === id)!), asked, page: p, pages, total: all.length };
}

export type MyStatements = NonNullable<Awaited<ReturnType<typeof myStatements>>>;

/** One of the author's own statements with its review thread; undefined for anyone else's. */
export async function myStatement(prisma: Db, authorId: number, id: number) {
  const statement = await loadOwn(prisma, id, authorId);
  if (!statement) return undefined;
  const thread = await prisma.threadMessage.findMany({ where: { outcomeId: id }, orderBy: { id: "asc" }, include: { author: true } });
  return { statement, thread };
}

/** A leader pauses (or resumes) harvest round reminders. */
export function setRemindersPaused(prisma: Db, userId: number, paused: boolean) {
  return prisma.user.update({ where: { id: userId }, data: { remindersPaused: paused } });
}

/** Makes a draft the one the person is writing (their next message answers its question). */
export function openDraftFor(prisma: Db, userId: number, outcomeId: number) {
  return prisma.user.update({ where: { id: userId }, data: { activeOutcomeId: outcomeId } });
}
