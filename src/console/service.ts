/**
 * The coordinators' console: who may open it, and what its API answers. It calls the same
 * services as the chat (review, classification, links, joint outcomes, harvesting questions,
 * substantiation, charts, export), so what a coordinator does in one shows in the other. Every
 * function takes the console's actor and checks the scope itself; ids from the page are never
 * trusted.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../platform/db/client.js";
import { LANGUAGES, isLang, loadResources, translator, type Lang } from "../platform/i18n/index.js";
import { formatDay, formatMonth, formatTime } from "../platform/i18n/format.js";
import { khmerToAsciiDigits } from "../platform/i18n/digits.js";
import { htmlToText } from "../platform/telegram/html.js";
import { type Actor, coordinatorScope, inScope, organisationsIn, scopeFilter, type Scope } from "../shared/access.js";
import { authorName } from "../shared/users.js";
import type { Prisma } from "../generated/prisma/client.js";
import { LEAD_INCLUDE, leadGapsOfRow } from "../harvest/coaching.js";
import { gapList } from "../harvest/lead.js";
import { questionChoices, setQuestionTag } from "../harvest/questions.js";
import { label, loadDimensions, setOption } from "../classification/service.js";
import { act, editPart, isEditableField, statementForReview, tellAuthor, threadOf, type CoordinatorAction } from "../review/service.js";
import { nextStatus, coordinatorActions } from "../review/status.js";
import { linkStatements, linksOf, notADuplicate } from "../review/links.js";
import { contributorChoices, setContributor } from "../review/joint.js";
import { collectResults, frameworkItems, loadCandidates, overviewOf, progressMap, progressOf, recordOfflineAnswers } from "../substantiation/service.js";
import { readOfflineAnswers } from "../substantiation/offline.js";
import { offlineProblems } from "../substantiation/views.js";
import { headlineParams, perOutcome, perSource } from "../substantiation/results.js";
import { proposeSample, reasonLabel } from "../substantiation/sample.js";
import { chartData } from "../reporting/charts.js";
import { eventLabels, historyLine } from "../reporting/events.js";
import { historyOf } from "../reporting/service.js";
import { statementMonth } from "../reporting/stats.js";
import { referenceOf, statementsCsv, workbookBuffer } from "../reporting/workbook.js";
import type { Action, ActionResult, Analysis, Filter, Meta, Row, Statement, Substantiation, Table, TableQuery } from "./schema.js";
import { STATUSES } from "./schema.js";

/** Who uses the console: a coordinator or admin (from Telegram's init data), or a programme's read-only API key. */
export interface ConsoleActor {
  actor: Actor;
  scope: Scope;
  lang: Lang;
  name: string;
  role: Meta["me"]["role"];
  /** An API key reads; it never acts. */
  readOnly: boolean;
  /** The person's Telegram id (none for an API key). */
  telegramId?: number;
}

export type Refusal = "stranger" | "not_coordinator";

/**
 * The person named by checked init data, if they may use the console: a known, not deleted user
 * who is an admin or an active coordinator. Deactivated members, leaders and substantiators are refused.
 */
export async function consoleActorOf(
  prisma: Db,
  telegram: { id: number; language_code?: string },
  admins: Set<number>,
  fallbackLang: Lang,
): Promise<ConsoleActor | Refusal> {
  const user = await prisma.user.findUnique({ where: { telegramId: BigInt(telegram.id) } });
  if (!user || user.deletedAt) return "stranger";
  const isAdmin = admins.has(telegram.id);
  const scope = await coordinatorScope(prisma, user.id, isAdmin);
  if (!scope) return "not_coordinator";
  const lang = isLang(user.language) ? user.language : isLang(telegram.language_code) ? telegram.language_code : fallbackLang;
  return {
    actor: { userId: user.id, isAdmin },
    scope,
    lang,
    name: user.displayName,
    // As shared/access.ts menuRole says, without asking for the memberships again: a coordinator
    // whose scope is the whole programme is a programme-wide one.
    role: isAdmin ? "admin" : scope.all ? "programme" : "coordinator",
    readOnly: false,
    telegramId: telegram.id,
  };
}

// ---------------------------------------------------------------------------------------------
// API keys for a programme's reports: read-only, the whole programme

const API_KEY_PREFIX = "ohk_";
const hashKey = (key: string) => createHash("sha256").update(key).digest("hex");

/** Makes a key; only its hash is stored, the key itself is returned once. */
export async function createApiKey(prisma: Db, name: string) {
  const key = `${API_KEY_PREFIX}${randomBytes(24).toString("base64url")}`;
  const row = await prisma.apiToken.create({ data: { name, tokenHash: hashKey(key) } });
  return { id: row.id, name: row.name, key };
}

export function listApiKeys(prisma: Db) {
  return prisma.apiToken.findMany({ orderBy: { id: "asc" } });
}

export async function revokeApiKey(prisma: Db, id: number, now: Date): Promise<boolean> {
  return (await prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: now } })).count === 1;
}

/** The reader behind an API key (not revoked), or undefined. */
export async function apiKeyActor(prisma: Db, key: string, lang: Lang, now: Date): Promise<ConsoleActor | undefined> {
  if (!key.startsWith(API_KEY_PREFIX)) return undefined;
  const row = await prisma.apiToken.findUnique({ where: { tokenHash: hashKey(key) } });
  if (!row || row.revokedAt) return undefined;
  await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  return { actor: { userId: undefined, isAdmin: false }, scope: { all: true }, lang, name: row.name, role: "api", readOnly: true };
}

// ---------------------------------------------------------------------------------------------
// What the page needs to draw its filters and forms

/** The parts of a statement in the order the card shows them, with the labels the chat uses. */
const PART_FIELDS: Array<{ key: string; label: string; long: boolean }> = [
  { key: "description", label: "parts.description", long: true },
  { key: "actorName", label: "parts.actor", long: false },
  { key: "date", label: "parts.date", long: false },
  { key: "place", label: "parts.place", long: false },
  { key: "significance", label: "parts.significance", long: true },
  { key: "contribution", label: "parts.contribution", long: true },
  { key: "peopleAffected", label: "history.fields.peopleAffected", long: false },
  { key: "womenAffected", label: "history.fields.womenAffected", long: false },
  { key: "sources", label: "parts.evidence", long: true },
];

/** The strings the page shows: its own (console.*) and the chat's names of statuses, parts and levels. */
const PAGE_NAMESPACES = ["console", "status", "parts", "results", "languages", "actor_types", "history", "source"];
let pageStrings: Map<Lang, Record<string, unknown>> | undefined;
function stringsFor(lang: Lang) {
  if (!pageStrings) {
    const all = loadResources();
    pageStrings = new Map(
      LANGUAGES.map((l) => {
        const tr = (all[l] as { translation: Record<string, unknown> }).translation;
        return [l, Object.fromEntries(PAGE_NAMESPACES.map((ns) => [ns, tr[ns]]))];
      }),
    );
  }
  return pageStrings.get(lang)!;
}

export async function meta(prisma: Db, who: ConsoleActor): Promise<Meta> {
  const t = translator(who.lang);
  const [orgs, dims, rounds] = await Promise.all([
    organisationsIn(prisma, who.scope),
    loadDimensions(prisma),
    prisma.harvestRound.findMany({ orderBy: { startsAt: "desc" }, include: { questions: { orderBy: { position: "asc" } } } }),
  ]);
  const visible = rounds.filter((r) => r.organisationIds.length === 0 || r.organisationIds.some((id) => inScope(who.scope, id)));
  return {
    me: { name: who.name, lang: who.lang, role: who.role },
    strings: stringsFor(who.lang),
    organisations: orgs.map((o) => ({ id: o.id, name: o.name })),
    statuses: STATUSES.map((key) => ({ key, label: t(`status.${key}`) })),
    rounds: visible.map((r) => ({ id: r.id, name: r.name })),
    questions: visible.flatMap((r) => r.questions.map((q) => ({ id: q.id, text: q.text, round: r.name }))),
    dimensions: dims.map((d) => ({
      id: d.id,
      key: d.key,
      label: label(d, who.lang),
      multiple: d.multiple,
      options: d.options.map((o) => ({ id: o.id, key: o.key, label: label(o, who.lang) })),
    })),
    fields: PART_FIELDS.map((f) => ({ key: f.key, label: t(f.label), long: f.long })),
  };
}

// ---------------------------------------------------------------------------------------------
// Which statements: the table's filters, also those of the charts and the export

const monthStart = (ym: string) => new Date(`${ym}-01T00:00:00Z`);
const nextMonth = (ym: string) => {
  const d = monthStart(ym);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return d;
};

/**
 * A period in the database: the month of the change when it is known, else of submission (as
 * reporting/stats.ts statementMonth counts it, so the console and /stats agree).
 */
function periodWhere(from?: string, to?: string): Prisma.OutcomeWhereInput | undefined {
  if (!from && !to) return undefined;
  const month = { ...(from ? { gte: from } : {}), ...(to ? { lte: to } : {}) };
  const moment = { ...(from ? { gte: monthStart(from) } : {}), ...(to ? { lt: nextMonth(to) } : {}) };
  return {
    OR: [{ dateStart: month }, { dateStart: null, submittedAt: moment }, { dateStart: null, submittedAt: null, createdAt: moment }],
  };
}

/** Words in any part, the author or the reference; a number (in any digits) also finds that statement. */
function textWhere(q: string): Prisma.OutcomeWhereInput {
  const has = { contains: q, mode: "insensitive" as const };
  const or: Prisma.OutcomeWhereInput[] = [
    { description: has },
    { actorName: has },
    { place: has },
    { significance: has },
    { contribution: has },
    { dateText: has },
    { reportedBy: has },
    { externalRef: has },
    { author: { displayName: has } },
  ];
  const number = khmerToAsciiDigits(q).replace(/^(#|OH-)/i, "");
  if (/^\d{1,9}$/.test(number)) or.push({ id: Number(number) });
  return { OR: or };
}

/** The filter as a database condition within the scope; refuses organisations outside it. */
export async function filterWhere(prisma: Db, who: ConsoleActor, f: Filter): Promise<Prisma.OutcomeWhereInput | "not_allowed"> {
  if (f.org.some((id) => !inScope(who.scope, id))) return "not_allowed";
  const and: Prisma.OutcomeWhereInput[] = [{ discardedAt: null, status: f.status.length ? { in: f.status } : { not: "draft" } }, scopeFilter(who.scope)];
  if (f.org.length) and.push({ OR: [{ organisationId: { in: f.org } }, { contributors: { some: { organisationId: { in: f.org } } } }] });
  const period = periodWhere(f.from, f.to);
  if (period) and.push(period);
  if (f.round) {
    const round = await prisma.harvestRound.findUnique({ where: { id: f.round } });
    if (!round) return { id: -1 };
    const during = { gte: round.startsAt, lte: round.endsAt };
    and.push({ OR: [{ harvestedAt: during }, { harvestedAt: null, submittedAt: during }] });
    if (round.organisationIds.length) and.push({ organisationId: { in: round.organisationIds } });
  }
  if (f.question) and.push({ questions: { some: { questionId: f.question } } });
  for (const option of f.option) and.push({ classifications: { some: { optionId: option } } });
  if (f.q) and.push(textWhere(f.q));
  return { AND: and };
}

const ORDER: Record<TableQuery["sort"], (dir: "asc" | "desc") => Prisma.OutcomeOrderByWithRelationInput[]> = {
  id: (dir) => [{ id: dir }],
  status: (dir) => [{ status: dir }, { id: "desc" }],
  organisation: (dir) => [{ organisation: { name: dir } }, { id: "desc" }],
  date: (dir) => [{ dateStart: { sort: dir, nulls: "last" } }, { id: "desc" }],
  harvested: (dir) => [{ harvestedAt: { sort: dir, nulls: "last" } }, { submittedAt: { sort: dir, nulls: "last" } }, { id: "desc" }],
  author: (dir) => [{ author: { displayName: dir } }, { reportedBy: { sort: dir, nulls: "last" } }, { id: "desc" }],
};

const classesOf = (rows: Array<{ option: { id: number; dimensionId: number } }>) => {
  const out: Record<string, number[]> = {};
  for (const c of rows) {
    const key = String(c.option.dimensionId);
    out[key] = [...(out[key] ?? []), c.option.id];
  }
  return out;
};

/** One page of the table. */
export async function statementTable(prisma: Db, who: ConsoleActor, q: TableQuery, timeZone: string): Promise<Table | "not_allowed"> {
  const where = await filterWhere(prisma, who, q);
  if (where === "not_allowed") return where;
  const t = translator(who.lang);
  const total = await prisma.outcome.count({ where });
  const pages = Math.max(1, Math.ceil(total / q.size));
  const page = Math.min(q.page, pages - 1);
  const rows = await prisma.outcome.findMany({
    where,
    orderBy: ORDER[q.sort](q.dir),
    skip: page * q.size,
    take: q.size,
    include: {
      ...LEAD_INCLUDE,
      author: { select: { displayName: true, deletedAt: true } },
      contributors: { select: { organisation: { select: { name: true } } } },
      classifications: { select: { option: { select: { id: true, dimensionId: true } } } },
    },
  });
  const progress = await progressMap(
    prisma,
    rows.map((r) => r.id),
  );
  return {
    total,
    page,
    pages,
    size: q.size,
    rows: rows.map(
      (o): Row => ({
        id: o.id,
        ref: referenceOf(o),
        organisations: [o.organisation.name, ...o.contributors.map((c) => c.organisation.name)],
        author: authorName(o, t),
        status: o.status as Row["status"],
        date: o.dateText ?? "",
        harvested: formatDay(o.harvestedAt ?? o.submittedAt ?? o.createdAt, who.lang, timeZone),
        description: (o.description ?? "").slice(0, 300),
        lead: leadGapsOfRow(o).length > 0,
        substantiation: progress.get(o.id)?.state ?? "none",
        classes: classesOf(o.classifications),
        version: o.version,
      }),
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// One statement

/** Who reads for the services: the person, or for an API key (the whole programme, read-only) the programme's view. */
const readerOf = (who: ConsoleActor): Actor => (who.readOnly ? { userId: undefined, isAdmin: who.scope.all } : who.actor);

const fieldText = (o: Record<string, unknown>, key: string) => {
  const v = key === "date" ? o.dateText : o[key];
  return v === null || v === undefined ? "" : String(v);
};

/** A statement as the console shows it, or undefined outside the scope. */
export async function statementDetail(prisma: Db, who: ConsoleActor, id: number, timeZone: string): Promise<Statement | undefined> {
  const o = await statementForReview(prisma, readerOf(who), id);
  if (!o) return undefined;
  const t = translator(who.lang);
  const [classes, thread, events, labels, links, orgChoices, questionTags, substantiation] = await Promise.all([
    prisma.classification.findMany({ where: { outcomeId: id }, select: { option: { select: { id: true, dimensionId: true } } } }),
    threadOf(prisma, id),
    historyOf(prisma, readerOf(who), id),
    eventLabels(prisma, who.lang),
    linksOf(prisma, id),
    who.readOnly ? undefined : contributorChoices(prisma, who.actor, id),
    who.readOnly ? undefined : questionChoices(prisma, who.actor, id),
    prisma.substantiation.findUnique({ where: { outcomeId: id }, include: { assignments: { include: { answers: true }, orderBy: { id: "asc" } } } }),
  ]);
  const editable = !who.readOnly && nextStatus(o.status, "edit") !== undefined;
  const chosenOrgs = new Set(o.contributors.map((c) => c.organisationId));
  return {
    id: o.id,
    ref: referenceOf(o),
    version: o.version,
    status: o.status as Statement["status"],
    statusLabel: t(`status.${o.status}`),
    language: o.language,
    organisation: { id: o.organisationId, name: o.organisation.name },
    author: authorName(o, t),
    submitted: o.submittedAt ? formatTime(o.submittedAt, timeZone, who.lang) : "",
    parts: PART_FIELDS.map((f) => ({
      key: f.key,
      label: t(f.label),
      text: fieldText(o as unknown as Record<string, unknown>, f.key),
      editable: editable && isEditableField(f.key),
    })),
    gaps: (() => {
      const gaps = leadGapsOfRow({ ...o, evidence: o.evidence.filter((e) => e.kind === "voice") });
      return gaps.length ? [gapList(t, gaps)] : [];
    })(),
    evidence: o.evidence.map((e) => ({ id: e.id, part: e.part, kind: e.kind, url: `/api/v1/statements/${o.id}/files/e${e.id}` })),
    classes: classesOf(classes),
    canClassify: !who.readOnly && o.status === "accepted",
    actions: who.readOnly ? [] : (coordinatorActions(o.status).filter((a) => a !== "edit" && a !== "classify") as Statement["actions"]),
    canEdit: editable,
    thread: thread.map((m) => ({
      id: m.id,
      kind: m.kind,
      author: m.author ? authorName({ author: m.author, reportedBy: null }, t) : "",
      text: m.text ?? "",
      at: formatTime(m.createdAt, timeZone, who.lang),
      file: m.fileId ? `/api/v1/statements/${o.id}/files/t${m.id}` : null,
    })),
    history: (events ?? []).map((e) => ({ at: formatTime(e.createdAt, timeZone, who.lang), text: htmlToText(historyLine(e, t, who.lang, timeZone, labels)) })),
    links: { same: links.sameAs[0] ?? null, sameAsThis: links.duplicates, ledTo: links.ledTo, ledFrom: links.followsFrom },
    contributors: (orgChoices?.orgs ?? []).map((g) => ({ id: g.id, name: g.name, on: chosenOrgs.has(g.id) })),
    questions: (questionTags?.questions ?? []).map((q) => ({ id: q.id, text: q.text, on: questionTags!.chosen.has(q.id) })),
    substantiation: substantiation
      ? {
          state: progressOf(substantiation.assignments).state,
          sources: namedSources(substantiation.assignments, t).map(({ a, name }) => ({
            id: a.id,
            name,
            status: a.status,
            offline: a.recordedById !== null,
            answers: a.answers.map((x) => ({ part: x.part, level: x.level })),
          })),
        }
      : null,
  };
}

/**
 * A statement's sources as the console names them (those refused for a conflict of interest left
 * out): an anonymous source is never named, not even to a coordinator of the statement.
 */
function namedSources<A extends { status: string; anonymous: boolean | null; label: string }>(assignments: A[], t: ReturnType<typeof translator>) {
  return assignments.filter((a) => a.status !== "refused").map((a, i) => ({ a, name: a.anonymous ? t("console.anonymous_source", { n: i + 1 }) : a.label }));
}

/** A file of a statement in scope (evidence, or one in its thread): its Telegram file id, or undefined. */
export async function statementFile(prisma: Db, who: ConsoleActor, id: number, file: string): Promise<{ fileId: string; kind: string } | undefined> {
  const o = await statementForReview(prisma, readerOf(who), id);
  if (!o) return undefined;
  const m = /^([et])(\d{1,9})$/.exec(file);
  if (!m) return undefined;
  if (m[1] === "e") {
    const e = o.evidence.find((x) => x.id === Number(m[2]));
    return e ? { fileId: e.fileId, kind: e.kind } : undefined;
  }
  const msg = await prisma.threadMessage.findFirst({ where: { id: Number(m[2]), outcomeId: id } });
  return msg?.fileId ? { fileId: msg.fileId, kind: msg.fileKind ?? "document" } : undefined;
}

// ---------------------------------------------------------------------------------------------
// What a coordinator does to one statement

/**
 * Applies one action, if the statement is still at the version the coordinator saw. Review
 * actions go through review/service.ts (the author is told in chat, as from the chat's buttons);
 * the others through their own services, with the same checks.
 */
export async function applyAction(prisma: Db, who: ConsoleActor, id: number, a: Action, now: Date, timeZone: string): Promise<ActionResult> {
  const t = translator(who.lang);
  if (who.readOnly || who.actor.userId === undefined) return { ok: false, reason: "not_allowed", message: t("console.errors.read_only") };
  const actorId = who.actor.userId;
  const o = await statementForReview(prisma, who.actor, id);
  if (!o) return { ok: false, reason: "not_allowed", message: t("console.errors.not_found") };
  const fresh = async (ok: boolean, reason?: string, message?: string): Promise<ActionResult> => ({
    ok,
    reason,
    message,
    statement: await statementDetail(prisma, who, id, timeZone),
  });
  const changed = () => fresh(false, "changed", t("console.errors.changed", { status: t(`status.${o.status}`) }));
  if (o.version !== a.version) return changed();
  switch (a.type) {
    case "accept":
    case "ask":
    case "return":
    case "reject": {
      const action: CoordinatorAction = a.type;
      if ((action === "ask" || action === "return") && !o.author) return fresh(false, "invalid", t("review.no_author", { name: authorName(o, t) }));
      const text = "text" in a ? a.text : undefined;
      const res = await act(prisma, { outcomeId: id, version: a.version, actorId, action, text, now });
      if (!res.ok) return res.reason === "changed" ? changed() : fresh(false, res.reason, t("console.errors.not_now", { status: t(`status.${o.status}`) }));
      await tellAuthor(prisma, res, action);
      return fresh(true);
    }
    case "edit": {
      if (!isEditableField(a.field)) return fresh(false, "invalid", t("console.errors.not_editable"));
      const res = await editPart(prisma, { outcomeId: id, version: a.version, actorId, field: a.field, text: a.text, now });
      if (res.ok) return fresh(true);
      if (res.reason === "invalid") return fresh(false, "invalid", htmlToText(t(res.error, res.era ? { ...res.era } : {})));
      return res.reason === "changed" ? changed() : fresh(false, res.reason, t("console.errors.not_now", { status: t(`status.${o.status}`) }));
    }
    case "classify": {
      const res = await setOption(prisma, { outcomeId: id, optionId: a.option, selected: a.on, actorId });
      if (res.status === "ok") return fresh(true);
      return fresh(false, res.status, t(res.status === "not_accepted" ? "console.errors.classify_accepted" : "console.errors.unknown_option"));
    }
    case "link": {
      const res = await linkStatements(prisma, who.actor, { id, other: a.other, choice: a.kind });
      return fresh(res.status === "linked", res.status, res.status === "linked" ? undefined : t(`console.errors.link_${res.status}`, { other: a.other }));
    }
    case "contributor": {
      const res = await setContributor(prisma, who.actor, { outcomeId: id, organisationId: a.organisation, on: a.on });
      return fresh(res.status === "changed" || res.status === "unchanged", res.status, res.status === "lead" ? t("review.joint_lead") : undefined);
    }
    case "question": {
      const res = await setQuestionTag(prisma, who.actor, { outcomeId: id, questionId: a.question, on: a.on });
      return fresh(res !== "not_allowed", res);
    }
    case "offline": {
      const read = readOfflineAnswers(a.text);
      if (!read.ok) return fresh(false, "invalid", htmlToText(offlineProblems(t, read.problems)));
      const res = await recordOfflineAnswers(prisma, { outcomeId: id, actor: who.actor, value: read.value, now });
      if (res === "not_allowed") return fresh(false, "not_allowed", t("console.errors.not_found"));
      if (!res) return fresh(false, "not_chosen", htmlToText(t("substantiation.not_chosen", { id })));
      return fresh(true);
    }
  }
  return fresh(false, "invalid");
}

// ---------------------------------------------------------------------------------------------
// Analysis, substantiation, export: the same numbers as /stats, /charts, /substantiate, /export

/** The dimension whose options the outcome map draws (who changed). */
export const MAP_DIMENSION = "social_actor";

export async function analysis(prisma: Db, who: ConsoleActor, f: Filter): Promise<Analysis | "not_allowed"> {
  const where = await filterWhere(prisma, who, f);
  if (where === "not_allowed") return where;
  const charts = await chartData(prisma, who.scope, {}, who.lang, undefined, where);
  const t = translator(who.lang);
  // The outcome map: accepted statements (counted once, as in the charts) by month of change and social actor.
  const rows = await prisma.outcome.findMany({
    where: { AND: [where, { status: "accepted", ...notADuplicate }] },
    select: {
      dateStart: true,
      submittedAt: true,
      createdAt: true,
      classifications: { select: { option: { select: { id: true, dimension: { select: { key: true } } } } } },
    },
  });
  const dims = await loadDimensions(prisma);
  const actorDim = dims.find((d) => d.key === MAP_DIMENSION);
  const options = actorDim?.options ?? [];
  const months = [...new Set(rows.map((r) => statementMonth(r)))].sort();
  const index = new Map(months.map((m, i) => [m, i]));
  const actors = [...options.map((o) => ({ key: o.key, label: label(o, who.lang), id: o.id })), { key: "", label: t("console.unclassified"), id: 0 }].map(
    (a) => ({
      ...a,
      counts: months.map(() => 0),
    }),
  );
  const byId = new Map(actors.map((a) => [a.id, a]));
  for (const r of rows) {
    const m = index.get(statementMonth(r))!;
    const chosen = r.classifications.filter((c) => c.option.dimension.key === MAP_DIMENSION);
    if (chosen.length === 0) byId.get(0)!.counts[m]!++;
    for (const c of chosen) {
      const a = byId.get(c.option.id);
      if (a) a.counts[m]!++;
    }
  }
  return {
    total: charts[0]?.total ?? rows.length,
    charts: charts.map((c) => ({ key: c.key, title: c.title, subtitle: c.subtitle, total: c.total, bars: c.bars })),
    map: {
      months,
      monthLabels: months.map((m) => formatMonth(m, who.lang)),
      actors: actors.filter((a) => a.counts.some((n) => n > 0)).map(({ key, label, counts }) => ({ key, label, counts })),
    },
  };
}

export async function substantiationSummary(prisma: Db, who: ConsoleActor, org: number | undefined): Promise<Substantiation | "not_allowed"> {
  if (org && !inScope(who.scope, org)) return "not_allowed";
  const t = translator(who.lang);
  const scope: Scope = org ? { all: false, orgIds: [org] } : who.scope;
  const [overview, { candidates, outcomes }, items] = await Promise.all([
    overviewOf(prisma, who.scope, org ?? 0),
    loadCandidates(prisma, scope),
    frameworkItems(prisma),
  ]);
  const picks = proposeSample(candidates, items);
  const descriptions = new Map(outcomes.map((o) => [o.id, o.description ?? ""]));
  const { sources } = await collectResults(prisma, { discardedAt: null, ...scopeFilter(scope) });
  const counts = new Map(perOutcome(sources).map((r) => [r.outcomeId, r.counts]));
  const answers = await prisma.substantiationAnswer.findMany({
    where: { assignmentId: { in: overview.chosen.flatMap((c) => c.assignments.map((a) => a.id)) } },
    select: { assignmentId: true, part: true, level: true },
    orderBy: { id: "asc" },
  });
  return {
    accepted: overview.accepted,
    headline: htmlToText(t("results.headline", headlineParams(perSource(sources)))),
    proposal: picks.map((p) => ({ id: p.id, description: descriptions.get(p.id) ?? "", reasons: p.reasons.map((r) => reasonLabel(t, r)) })),
    chosen: overview.chosen.map((c) => ({
      id: c.outcomeId,
      description: c.description ?? "",
      state: c.progress.state,
      sources: namedSources(c.assignments, t).map(({ a, name }) => ({
        name,
        status: a.status,
        reminders: a.remindersSent,
        answers: answers.filter((x) => x.assignmentId === a.id).map(({ part, level }) => ({ part, level })),
      })),
      counts: counts.get(c.outcomeId) ?? { fully: 0, partially: 0, disagree: 0, dont_know: 0 },
    })),
  };
}

/** The filtered statements as a file: the same workbook or CSV as /export, narrowed to the filter. */
export async function exportFiltered(prisma: Db, who: ConsoleActor, f: Filter, format: "xlsx" | "csv", timeZone: string) {
  const where = await filterWhere(prisma, who, f);
  if (where === "not_allowed") return where;
  const q = { scope: who.scope, period: {}, lang: who.lang, timeZone, where };
  return format === "csv" ? statementsCsv(prisma, q) : workbookBuffer(prisma, q);
}
