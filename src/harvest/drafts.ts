/** Database operations on outcome statements. Every write appends to the event log. */
import type { Db } from "../db/client.js";
import type { Outcome, OutcomeEvidence, Prisma } from "../generated/prisma/client.js";
import { EDITABLE, nextStatus } from "../review/status.js";
import { isStep, type Step } from "./steps.js";

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
  /** Files sent at the evidence step. */
  evidenceCount: number;
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
    evidenceCount: o.evidence.filter((e) => e.part === "evidence").length,
    createdAt: o.createdAt.toISOString(),
    submittedAt: o.submittedAt?.toISOString() ?? null,
  };
}

export async function createDraft(prisma: Db, input: { authorId: number; organisationId: number; language: string }) {
  const o = await prisma.$transaction(async (tx) => {
    const created = await tx.outcome.create({ data: { ...input, step: "description" } });
    await tx.outcomeEvent.create({ data: { outcomeId: created.id, actorId: input.authorId, type: "created" } });
    await tx.user.update({ where: { id: input.authorId }, data: { activeOutcomeId: created.id } });
    return tx.outcome.findUniqueOrThrow({ where: { id: created.id }, include });
  });
  return toView(o);
}

/** The author's own, not discarded statement; null for anyone else's. */
export async function loadOwn(prisma: Db, outcomeId: number, authorId: number): Promise<DraftView | null> {
  const o = await prisma.outcome.findFirst({ where: { id: outcomeId, authorId, discardedAt: null }, include });
  return o ? toView(o) : null;
}

/** The author's own statement while they may still change it (a draft, or returned for revision); else null. */
export async function loadOwnDraft(prisma: Db, outcomeId: number, authorId: number): Promise<DraftView | null> {
  const d = await loadOwn(prisma, outcomeId, authorId);
  return d && (EDITABLE as string[]).includes(d.status) ? d : null;
}

const editable = { status: { in: EDITABLE }, discardedAt: null };

export type DraftChanges = Partial<
  Pick<
    Outcome,
    | "description" | "actorName" | "actorType" | "dateText" | "dateKind" | "dateStart" | "dateEnd" | "place"
    | "significance" | "contribution" | "peopleAffected" | "womenAffected" | "expected" | "positive" | "sources"
    | "reviewReached"
  >
> & { step?: Step; coachingHandled?: string[] };

const stringify = (v: unknown) => (v === null || v === undefined ? null : Array.isArray(v) ? v.join(",") : String(v));

/**
 * Saves an answer as it arrives: updates the draft and appends one event per changed field.
 * Only the author's own draft can change.
 */
export async function saveDraft(prisma: Db, outcomeId: number, authorId: number, changes: DraftChanges): Promise<DraftView> {
  const o = await prisma.$transaction(async (tx) => {
    const before = await tx.outcome.findFirst({ where: { id: outcomeId, authorId, ...editable } });
    if (!before) throw new DraftGoneError(outcomeId);
    const events: Prisma.OutcomeEventCreateManyInput[] = [];
    for (const [field, value] of Object.entries(changes)) {
      if (field === "step" || field === "reviewReached") continue;
      const old = stringify((before as Record<string, unknown>)[field]);
      const now = stringify(value);
      if (old !== now) events.push({ outcomeId, actorId: authorId, type: "field_set", field, oldValue: old, newValue: now });
    }
    if (events.length) await tx.outcomeEvent.createMany({ data: events });
    return tx.outcome.update({ where: { id: outcomeId }, data: changes, include });
  });
  return toView(o);
}

export class DraftGoneError extends Error {
  constructor(id: number) {
    super(`draft ${id} is not an open draft of this author`);
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
export async function closeDraft(prisma: Db, outcomeId: number, authorId: number, how: "submit" | "save" | "discard", now: Date) {
  return prisma.$transaction(async (tx) => {
    const draft = await tx.outcome.findFirst({ where: { id: outcomeId, authorId, ...editable } });
    await tx.user.updateMany({ where: { id: authorId, activeOutcomeId: outcomeId }, data: { activeOutcomeId: null } });
    if (!draft) return false;
    if (how === "submit") {
      const to = nextStatus(draft.status, draft.status === "draft" ? "submit" : "resubmit")!;
      await tx.outcome.update({
        where: { id: outcomeId },
        data: { status: to, submittedAt: draft.submittedAt ?? now, waitingSince: now, step: null, version: { increment: 1 } },
      });
      await tx.outcomeEvent.create({
        data: { outcomeId, actorId: authorId, type: "status_changed", field: "status", oldValue: draft.status, newValue: to },
      });
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
export async function latestDraft(prisma: Db, authorId: number) {
  return prisma.outcome.findFirst({
    where: { authorId, status: "draft", discardedAt: null },
    orderBy: { updatedAt: "desc" },
    include,
  });
}
