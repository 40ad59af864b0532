/** Database operations of substantiation. Names of sources never go into the event log. */
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../platform/db/client.js";
import type { Prisma, SubstantiationAssignment } from "../generated/prisma/client.js";
import { type Actor, coordinatorScope, ofOrganisation, organisationsIn, outcomeInScope, scopeFilter, type Scope } from "../shared/access.js";
import { notify } from "../platform/telegram/notify.js";
import { isLang, translator } from "../platform/i18n/index.js";
import { type OverviewData, type Progress, resultsKeyboard, type SubstantiationOf, type SubstantiationState } from "./views.js";

export type { Progress, SubstantiationOf, SubstantiationState };
import { isLevel, PARTS, type Level, type Part, type SourceAnswers } from "./results.js";
import type { Candidate, Pick } from "./sample.js";
import type { OfflineAnswers } from "./offline.js";

export const SOURCE_CODE_PREFIX = "s_";
export const SOURCE_LINK_DAYS = 30;
export const MAX_REMINDERS = 2;

const hash = (code: string) => createHash("sha256").update(code).digest("hex");

/** Accepted statements in scope not yet chosen, with what the sample criteria need. */
export async function loadCandidates(prisma: Db, scope: Scope, organisationId?: number) {
  const outcomes = await prisma.outcome.findMany({
    where: { status: "accepted", discardedAt: null, substantiation: null, ...scopeFilter(scope), ...(organisationId ? ofOrganisation(organisationId) : {}) },
    include: { classifications: { include: { option: { include: { dimension: true } } } } },
    orderBy: { id: "asc" },
  });
  const candidates: Candidate[] = outcomes.map((o) => {
    const has = (dim: string, key?: string) => o.classifications.some((c) => c.option.dimension.key === dim && (!key || c.option.key === key));
    return {
      id: o.id,
      significant: has("significance", "high"),
      essential: has("contribution_importance", "essential"),
      inDoubt: o.inDoubt,
      gender: has("gender"),
      framework: o.classifications.filter((c) => c.option.dimension.key === "framework").map((c) => c.option.key),
    };
  });
  return { outcomes, candidates };
}

export async function frameworkItems(prisma: Db): Promise<string[]> {
  const options = await prisma.dimensionOption.findMany({
    where: { active: true, dimension: { key: "framework", active: true } },
    orderBy: { position: "asc" },
  });
  return options.map((o) => o.key);
}

export async function createProposal(prisma: Db, coordinatorId: number, organisationId: number | undefined, picks: Pick[]) {
  return prisma.sampleProposal.create({
    data: {
      coordinatorId,
      organisationId: organisationId ?? null,
      outcomeIds: picks.map((p) => p.id),
      reasons: Object.fromEntries(picks.map((p) => [String(p.id), p.reasons])),
    },
  });
}

/** Adds or removes one statement; idempotent (the button says which state it sets). */
export async function setInProposal(prisma: Db, proposalId: number, outcomeId: number, selected: boolean) {
  return prisma.$transaction(async (tx) => {
    const p = await tx.sampleProposal.findUniqueOrThrow({ where: { id: proposalId } });
    if (p.confirmedAt) return p;
    const ids = new Set(p.outcomeIds);
    if (selected) ids.add(outcomeId);
    else ids.delete(outcomeId);
    return tx.sampleProposal.update({ where: { id: proposalId }, data: { outcomeIds: [...ids].sort((a, b) => a - b) } });
  });
}

/** Confirms once: the chosen statements are requested for substantiation, with their reasons. */
export async function confirmProposal(prisma: Db, proposalId: number, actorId: number, now: Date): Promise<number[] | undefined> {
  return prisma.$transaction(async (tx) => {
    const claimed = await tx.sampleProposal.updateMany({ where: { id: proposalId, confirmedAt: null }, data: { confirmedAt: now } });
    if (claimed.count !== 1) return undefined;
    const p = await tx.sampleProposal.findUniqueOrThrow({ where: { id: proposalId } });
    const reasons = p.reasons as Record<string, string[]>;
    const created: number[] = [];
    for (const outcomeId of p.outcomeIds) {
      const o = await tx.outcome.findFirst({ where: { id: outcomeId, status: "accepted", discardedAt: null, substantiation: null } });
      if (!o) continue;
      const why = reasons[String(outcomeId)] ?? ["added_by_coordinator"];
      await tx.substantiation.create({ data: { outcomeId, selectedById: actorId, reasons: why } });
      await tx.outcomeEvent.create({ data: { outcomeId, actorId, type: "substantiation_requested", newValue: why.join(",") } });
      created.push(outcomeId);
    }
    return created;
  });
}

/** A single-use link for one source of one chosen statement. The code is returned once; only its hash is kept. */
export async function createAssignment(prisma: Db, input: { outcomeId: number; label: string; createdById: number; now: Date }) {
  const s = await prisma.substantiation.findUnique({ where: { outcomeId: input.outcomeId } });
  if (!s) return undefined;
  const code = `${SOURCE_CODE_PREFIX}${randomBytes(16).toString("base64url")}`;
  const a = await prisma.substantiationAssignment.create({
    data: {
      substantiationId: s.id,
      outcomeId: input.outcomeId,
      codeHash: hash(code),
      label: input.label,
      createdById: input.createdById,
      expiresAt: new Date(input.now.getTime() + SOURCE_LINK_DAYS * 86_400_000),
    },
  });
  await prisma.outcomeEvent.create({ data: { outcomeId: input.outcomeId, actorId: input.createdById, type: "source_invited", newValue: `source #${a.id}` } });
  return { assignment: a, code };
}

export type OpenResult =
  | { status: "ok"; assignment: SubstantiationAssignment }
  | { status: "unknown" | "expired" | "used" | "declined" | "already_source" }
  | { status: "conflict"; reason: "author" | "member" | "coordinator"; assignment: SubstantiationAssignment };

/**
 * Someone opens a source link. The first person takes it (single use); the same person may open
 * it again to continue. The author of the statement, and anyone who belongs to its organisation,
 * are refused: the assignment is marked refused, for the coordinator to replace.
 */
export async function openAssignment(prisma: Db, code: string, userId: number, now: Date, isAdmin = false): Promise<OpenResult> {
  if (!/^s_[A-Za-z0-9_-]{16,64}$/.test(code)) return { status: "unknown" };
  return prisma.$transaction(async (tx) => {
    const a = await tx.substantiationAssignment.findUnique({ where: { codeHash: hash(code) } });
    if (!a) return { status: "unknown" };
    if (a.userId !== null && a.userId !== userId) return { status: "used" };
    // Whoever created the link, coordinates the statement, or administers the bot is not an
    // independent source. The link is left as it is, for the person it was meant for.
    if (a.createdById === userId || isAdmin) return { status: "conflict", reason: "coordinator", assignment: a };
    const statement = await tx.outcome.findUniqueOrThrow({ where: { id: a.outcomeId }, select: { organisationId: true, contributors: true } });
    if (outcomeInScope(await coordinatorScope(tx as Db, userId, false), statement)) return { status: "conflict", reason: "coordinator", assignment: a };
    if (a.status === "refused") return { status: "used" };
    if (a.userId === userId) return a.status === "declined" ? { status: "declined" } : { status: "ok", assignment: a };
    if (a.expiresAt <= now) return { status: "expired" };
    const o = await tx.outcome.findUniqueOrThrow({ where: { id: a.outcomeId } });
    const member = await tx.membership.count({ where: { userId, organisationId: o.organisationId } });
    const reason = o.authorId === userId ? "author" : member > 0 ? "member" : undefined;
    if (!reason) {
      const other = await tx.substantiationAssignment.count({ where: { outcomeId: a.outcomeId, userId, NOT: { id: a.id } } });
      if (other > 0) return { status: "already_source" };
    }
    const taken = await tx.substantiationAssignment.updateMany({
      where: { id: a.id, userId: null },
      data: reason ? { status: "refused", refusedReason: reason, openedAt: now } : { userId, status: "opened", openedAt: now },
    });
    if (taken.count !== 1) return { status: "used" };
    await tx.outcomeEvent.create({
      data: { outcomeId: a.outcomeId, type: reason ? "source_refused" : "source_opened", field: reason ?? null, newValue: `source #${a.id}` },
    });
    const fresh = await tx.substantiationAssignment.findUniqueOrThrow({ where: { id: a.id } });
    return reason ? { status: "conflict", reason, assignment: fresh } : { status: "ok", assignment: fresh };
  });
}

/** The person's own assignment, or undefined (callback data is not trusted). */
export async function ownAssignment(prisma: Db, assignmentId: number, userId: number) {
  return (await prisma.substantiationAssignment.findFirst({ where: { id: assignmentId, userId } })) ?? undefined;
}

/** An assignment the source can still answer (or decline). */
export const OPEN = ["opened", "answering"];
export const isOpen = (status: string) => OPEN.includes(status);

export async function consent(prisma: Db, a: SubstantiationAssignment, now: Date) {
  await prisma.substantiationAssignment.updateMany({ where: { id: a.id, consentAt: null, status: { in: OPEN } }, data: { consentAt: now } });
}

export async function chooseNaming(prisma: Db, a: SubstantiationAssignment, anonymous: boolean) {
  await prisma.substantiationAssignment.updateMany({ where: { id: a.id, status: { in: OPEN } }, data: { anonymous, status: "answering" } });
}

/** Locks the assignment row if it is still open: the compare-and-set of an answer (false: it was sent or closed meanwhile). */
async function stillOpen(tx: Prisma.TransactionClient, id: number): Promise<boolean> {
  const rows = await tx.$queryRawUnsafe<unknown[]>(
    `SELECT 1 FROM "substantiation_assignments" WHERE "id" = $1 AND "status" = ANY($2::text[]) FOR UPDATE`,
    id,
    OPEN,
  );
  return rows.length === 1;
}

/** Saves one part's level as it arrives; nothing changes after the answers were sent. */
export async function saveLevel(prisma: Db, a: SubstantiationAssignment, part: Part, level: Level): Promise<boolean> {
  if (!OPEN.includes(a.status) || !isLevel(level)) return false;
  return prisma.$transaction(async (tx) => {
    if (!(await stillOpen(tx, a.id))) return false;
    await tx.substantiationAnswer.upsert({
      where: { assignmentId_part: { assignmentId: a.id, part } },
      create: { assignmentId: a.id, part, level },
      update: { level },
    });
    return true;
  });
}

export async function saveComment(prisma: Db, a: SubstantiationAssignment, part: Part, comment: { text?: string; fileId?: string }) {
  if (!OPEN.includes(a.status)) return false;
  return prisma.$transaction(async (tx) => {
    if (!(await stillOpen(tx, a.id))) return false;
    const updated = await tx.substantiationAnswer.updateMany({
      where: { assignmentId: a.id, part },
      data: { comment: comment.text ?? null, commentFileId: comment.fileId ?? null },
    });
    return updated.count === 1;
  });
}

export async function answersOf(prisma: Db, assignmentId: number) {
  const rows = await prisma.substantiationAnswer.findMany({ where: { assignmentId } });
  return PARTS.map((p) => rows.find((r) => r.part === p));
}

/** Sends the answers: from then on they are read-only. */
export async function submitAnswers(prisma: Db, a: SubstantiationAssignment, now: Date): Promise<"ok" | "incomplete" | "closed"> {
  const answers = await answersOf(prisma, a.id);
  if (answers.some((x) => !x)) return "incomplete";
  return prisma.$transaction(async (tx) => {
    const done = await tx.substantiationAssignment.updateMany({ where: { id: a.id, status: { in: OPEN } }, data: { status: "submitted", submittedAt: now } });
    if (done.count !== 1) return "closed";
    await tx.outcomeEvent.create({ data: { outcomeId: a.outcomeId, type: "source_answered", newValue: `source #${a.id}` } });
    return "ok";
  });
}

export async function decline(prisma: Db, a: SubstantiationAssignment, reason: string | undefined, now: Date): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const done = await tx.substantiationAssignment.updateMany({
      where: { id: a.id, status: { in: OPEN } },
      data: { status: "declined", declineReason: reason ?? null, submittedAt: now },
    });
    if (done.count !== 1) return false;
    await tx.outcomeEvent.create({ data: { outcomeId: a.outcomeId, type: "source_declined", newValue: `source #${a.id}` } });
    return true;
  });
}

/** Requested (nobody answering yet), in progress, or done (every source that took part answered). */
export function progressOf(assignments: Array<{ status: string }>): Progress {
  const live = assignments.filter((a) => a.status !== "refused");
  const answered = live.filter((a) => a.status === "submitted").length;
  const declined = live.filter((a) => a.status === "declined").length;
  const pending = live.length - answered - declined;
  const started = live.some((a) => a.status !== "invited");
  const state: SubstantiationState = answered > 0 && pending === 0 ? "done" : started ? "in_progress" : "requested";
  return { state, sources: live.length, answered, declined };
}

/** Progress of the chosen ones among these statements. */
export async function progressMap(prisma: Db, outcomeIds: number[]): Promise<Map<number, Progress>> {
  const rows = await prisma.substantiation.findMany({ where: { outcomeId: { in: outcomeIds } }, include: { assignments: { select: { status: true } } } });
  return new Map(rows.map((r) => [r.outcomeId, progressOf(r.assignments)]));
}

export async function progressFor(prisma: Db, outcomeId: number): Promise<Progress | undefined> {
  const s = await prisma.substantiation.findUnique({ where: { outcomeId }, include: { assignments: true } });
  return s ? progressOf(s.assignments) : undefined;
}

/** Answers of every source that sent them, for the result views; anonymous sources carry no name. */
export async function collectResults(prisma: Db, where: Prisma.OutcomeWhereInput) {
  const assignments = await prisma.substantiationAssignment.findMany({
    where: { status: "submitted", substantiation: { outcome: where } },
    include: { answers: true },
    orderBy: [{ outcomeId: "asc" }, { id: "asc" }],
  });
  const sources: SourceAnswers[] = assignments.map((a) => ({
    outcomeId: a.outcomeId,
    levels: PARTS.map((p) => a.answers.find((x) => x.part === p)?.level).filter((l): l is Level => Boolean(l && isLevel(l))),
  }));
  const comments = assignments.flatMap((a) =>
    a.answers
      .filter((x) => x.comment || x.commentFileId)
      .map((x) => ({ outcomeId: a.outcomeId, part: x.part, level: x.level, text: x.comment, fileId: x.commentFileId, source: a.anonymous ? null : a.label })),
  );
  return { sources, comments };
}

/** What a statement's card or /my shows of its substantiation: progress (if chosen) and the author's suggestions. */
export async function substantiationOf(prisma: Db, outcomeId: number, withSuggestions: boolean): Promise<SubstantiationOf> {
  const progress = await progressFor(prisma, outcomeId);
  const suggestions = withSuggestions ? await prisma.substantiatorSuggestion.findMany({ where: { outcomeId }, orderBy: { id: "asc" } }) : [];
  return { progress, suggestions };
}

// ---------------------------------------------------------------------------------------------
// The source's side: what they are shown, and who is told

/** The statement an assignment is about, with its organisation (the part texts in the language they were written in). */
export function statementOf(prisma: Db, a: { outcomeId: number }) {
  return prisma.outcome.findUniqueOrThrow({ where: { id: a.outcomeId }, include: { organisation: true } });
}

/** The name of the coordinator who asked, if they are still known. */
export async function inviterName(prisma: Db, a: { createdById: number | null }): Promise<string | undefined> {
  return a.createdById ? ((await prisma.user.findUnique({ where: { id: a.createdById } }))?.displayName ?? undefined) : undefined;
}

/** The voice notes the leader answered a part with (the source hears them). */
export function voicesOfPart(prisma: Db, outcomeId: number, part: Part) {
  return prisma.outcomeEvidence.findMany({ where: { outcomeId, part, kind: "voice" } });
}

/** Every statement a person was asked to check, oldest first. */
export function assignmentsOf(prisma: Db, userId: number) {
  return prisma.substantiationAssignment.findMany({ where: { userId }, orderBy: { id: "asc" } });
}

/**
 * Tells the coordinator who invited the source (answers sent, declined). An anonymous source is
 * never named, not even to them. With `withResults`, a button to the results of the statement's
 * organisation (the press re-checks scope).
 */
export async function tellCoordinator(prisma: Db, a: SubstantiationAssignment, key: string, params: Record<string, unknown> = {}, withResults = false) {
  if (!a.createdById) return;
  const coordinator = await prisma.user.findUnique({ where: { id: a.createdById } });
  if (!coordinator) return;
  const source = a.anonymous ? translator(isLang(coordinator.language) ? coordinator.language : "en")("source.anonymous_source") : a.label;
  const org = withResults ? (await prisma.outcome.findUnique({ where: { id: a.outcomeId }, select: { organisationId: true } }))?.organisationId : undefined;
  await notify(prisma, coordinator, key, { id: a.outcomeId, source, ...params }, org ? (t) => resultsKeyboard(t, org) : undefined);
}

/** A link refused for a conflict of interest: the coordinator who made it is told (unless they are the conflict). */
export async function tellConflict(prisma: Db, a: SubstantiationAssignment, reason: string) {
  if (!a.createdById || reason === "coordinator") return;
  const coordinator = await prisma.user.findUnique({ where: { id: a.createdById } });
  if (!coordinator) return;
  const o = await statementOf(prisma, a);
  await notify(prisma, coordinator, `substantiation.conflict_${reason}`, { id: o.id, source: a.label, org: o.organisation.name });
}

// ---------------------------------------------------------------------------------------------
// The coordinator's side

/** /substantiate: the chosen statements in `scope` (narrowed to `org`, 0: all), each source's progress. */
export async function overviewOf(prisma: Db, fullScope: Scope, org: number): Promise<OverviewData> {
  const scope: Scope = org ? { all: false, orgIds: [org] } : fullScope;
  const chosen = await prisma.substantiation.findMany({
    where: { outcome: { discardedAt: null, ...scopeFilter(scope) } },
    include: { outcome: true, assignments: { orderBy: { id: "asc" } } },
    orderBy: { outcomeId: "asc" },
  });
  const accepted = await prisma.outcome.count({ where: { status: "accepted", discardedAt: null, ...scopeFilter(scope) } });
  const orgName = org ? ((await prisma.organisation.findUnique({ where: { id: org } }))?.name ?? "") : undefined;
  const orgs = org ? [] : await organisationsIn(prisma, fullScope);
  return {
    org,
    orgName,
    accepted,
    chosen: chosen.map((s) => ({
      outcomeId: s.outcomeId,
      description: s.outcome.description,
      progress: progressOf(s.assignments),
      assignments: s.assignments,
    })),
    organisations: orgs.length > 1 ? orgs : [],
  };
}

/** A proposal of this coordinator. */
export async function ownProposal(prisma: Db, coordinatorId: number | undefined, id: number) {
  return (await prisma.sampleProposal.findFirst({ where: { id, coordinatorId: coordinatorId ?? -1 } })) ?? undefined;
}

export function isChosen(prisma: Db, outcomeId: number) {
  return prisma.substantiation.findUnique({ where: { outcomeId } });
}

export function suggestionsOf(prisma: Db, outcomeId: number) {
  return prisma.substantiatorSuggestion.findMany({ where: { outcomeId }, orderBy: { id: "asc" } });
}

/** "In doubt" on an accepted statement (a reason to substantiate it), with its event. */
export async function setInDoubt(prisma: Db, o: { id: number; inDoubt: boolean }, actorId: number, inDoubt: boolean) {
  if (o.inDoubt === inDoubt) return;
  await prisma.$transaction([
    prisma.outcome.update({ where: { id: o.id }, data: { inDoubt } }),
    prisma.outcomeEvent.create({ data: { outcomeId: o.id, actorId, type: "in_doubt", oldValue: String(o.inDoubt), newValue: String(inDoubt) } }),
  ]);
}

/** Who could confirm a statement, as its author names them. */
export function saveSuggestion(prisma: Db, s: { outcomeId: number; suggestedById: number; name: string; role?: string; relation?: string; contact?: string }) {
  return prisma.substantiatorSuggestion.create({
    data: {
      outcomeId: s.outcomeId,
      suggestedById: s.suggestedById,
      name: s.name,
      role: s.role ?? null,
      relation: s.relation ?? null,
      contact: s.contact ?? null,
    },
  });
}

/**
 * A source's answers given offline, recorded by a coordinator: a source of its own on the chosen
 * statement, already answered, marked as recorded by them. They count in the results like any
 * other source's. Only a coordinator of the statement records them ("not_allowed" otherwise);
 * undefined when the statement is not chosen for substantiation.
 */
export async function recordOfflineAnswers(prisma: Db, input: { outcomeId: number; actor: Actor; value: OfflineAnswers; now: Date }) {
  const scope = await coordinatorScope(prisma, input.actor.userId, input.actor.isAdmin);
  const statement = await prisma.outcome.findUnique({ where: { id: input.outcomeId }, include: { contributors: true } });
  const recordedById = input.actor.userId;
  if (!statement || recordedById === undefined || !outcomeInScope(scope, statement)) return "not_allowed" as const;
  return prisma.$transaction(async (tx) => {
    const s = await tx.substantiation.findUnique({ where: { outcomeId: input.outcomeId } });
    if (!s) return undefined;
    const a = await tx.substantiationAssignment.create({
      data: {
        substantiationId: s.id,
        outcomeId: input.outcomeId,
        // No link: nobody opens it. A hash of its own keeps the column unique.
        codeHash: `offline:${randomBytes(16).toString("hex")}`,
        label: input.value.label,
        createdById: recordedById,
        recordedById,
        expiresAt: input.now,
        status: "submitted",
        anonymous: false,
        submittedAt: input.now,
      },
    });
    await tx.substantiationAnswer.createMany({
      data: input.value.answers.map((x) => ({ assignmentId: a.id, part: x.part, level: x.level, comment: x.comment ?? null })),
    });
    await tx.outcomeEvent.create({
      data: { outcomeId: input.outcomeId, actorId: recordedById, type: "source_recorded", newValue: `source #${a.id}` },
    });
    return a;
  });
}
