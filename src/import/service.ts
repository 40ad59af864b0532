/**
 * Importing statements from earlier harvests: a table in the columns the export writes (its
 * statements sheet, in any language the bot speaks) becomes statements, their classification and
 * an "imported" event each.
 *
 * `planImport` is the dry run: it reads every row and column and returns what would be created
 * or updated, and every problem with its line and column. `applyImport` writes a plan that has
 * no problem, in one transaction (all or nothing), after checking that the rows it updates were
 * not changed by another import meanwhile. A row with a reference updates the statement imported
 * with that reference before, so importing a file again does not duplicate it.
 */
import { closest } from "fastest-levenshtein";
import type { Db } from "../platform/db/client.js";
import type { OutcomeStatus, Prisma } from "../generated/prisma/client.js";
import { LANGUAGES, translator, type Lang } from "../platform/i18n/index.js";
import { khmerToAsciiDigits } from "../platform/i18n/digits.js";
import { writtenIn } from "../platform/i18n/script.js";
import { parseCount, parseDate, unreadWords, ymToString, type ParsedDate } from "../harvest/dates.js";
import { ACTOR_TYPES } from "../harvest/steps.js";
import { type DimensionWithOptions, label, loadDimensions } from "../classification/service.js";
import { statementColumns, type StatementColumn, type StatementField } from "../reporting/workbook.js";
import { coordinatorScope, inScope, outcomeInScope, type Scope } from "../shared/access.js";
import { choiceWords, looseWord } from "../shared/text.js";
import { type Cell, readTable, type Table } from "./read.js";

type Tx = Prisma.TransactionClient;

/** The longest text part an imported statement may have (a page and more), and the short fields. */
export const IMPORT_LIMITS = { text: 10_000, short: 200 } as const;

/** Statuses a file may give; a draft is not a harvested statement. */
const IMPORTABLE: OutcomeStatus[] = ["submitted", "needs_clarification", "returned", "accepted", "rejected"];

/** Fields the export writes for people to read, which an import does not take back (it works them out). */
const DERIVED: StatementField[] = [
  "number",
  "description_language",
  "significance_language",
  "contribution_language",
  "submitted",
  "lacks",
  "links",
  "questions",
];

export type ProblemCode =
  | "unknown_column"
  | "duplicate_column"
  | "missing_column"
  | "required"
  | "unknown_organisation"
  | "outside_scope"
  | "unknown_status"
  | "unknown_option"
  | "one_option_only"
  | "unreadable_date"
  | "unreadable_number"
  | "unreadable_yes_no"
  | "unknown_actor_type"
  | "too_long"
  | "duplicate_reference"
  | "extra_cells";

export interface Problem {
  /** The line in the file (the header is line 1). */
  line: number;
  /** The column's header as the file has it. */
  column?: string;
  code: ProblemCode;
  params?: Record<string, string | number>;
}

export interface StatementData {
  organisationId: number;
  status: OutcomeStatus;
  language: Lang;
  reportedBy: string | null;
  harvestedAt: Date | null;
  description: string;
  significance: string | null;
  contribution: string | null;
  dateText: string | null;
  dateKind: string | null;
  dateStart: string | null;
  dateEnd: string | null;
  place: string | null;
  actorName: string | null;
  actorType: string | null;
  peopleAffected: number | null;
  womenAffected: number | null;
  expected: boolean | null;
  positive: boolean | null;
}

export interface PlannedRow {
  line: number;
  reference: string | null;
  /** Organisations that contributed besides the lead one (a joint outcome). */
  contributorIds: number[];
  /** The statement this row updates (imported before with the same reference), with its version. */
  update?: { id: number; version: number };
  data: StatementData;
  optionIds: number[];
}

export interface ImportPlan {
  rows: PlannedRow[];
  problems: Problem[];
  /** Columns read for people only (number, languages, submitted): not imported. */
  ignored: string[];
  creates: number;
  updates: number;
}

const norm = looseWord;
/** "Submitted (Asia/Phnom_Penh)" → "submitted": a header whose time zone differs still matches. */
const base = (s: string) => norm(s.replace(/\s*\([^)]*\)\s*$/, ""));

type Column = { field: StatementField } | { dimension: DimensionWithOptions };

/** Every name a column may have: each language's export header, and the keys themselves. */
function knownColumns(dims: DimensionWithOptions[], timeZone: string) {
  const exact = new Map<string, Column>();
  const loose = new Map<string, Column>();
  const byId = new Map(dims.map((d) => [d.id, d]));
  const toColumn = (c: StatementColumn): Column => ("field" in c ? { field: c.field } : { dimension: byId.get(c.dimensionId)! });
  for (const lang of LANGUAGES) {
    for (const c of statementColumns(translator(lang), timeZone, lang, dims)) {
      const col = toColumn(c);
      if (!exact.has(norm(c.header))) exact.set(norm(c.header), col);
      if ("field" in c && !loose.has(base(c.header))) loose.set(base(c.header), col);
    }
  }
  // The fields' and dimensions' keys; the English headers are the names a suggestion offers.
  const english = statementColumns(translator("en"), timeZone, "en", dims);
  for (const c of english) {
    const key = "field" in c ? c.field : byId.get(c.dimensionId)!.key;
    if (!exact.has(norm(key))) exact.set(norm(key), toColumn(c));
  }
  return { exact, loose, names: english.map((c) => c.header) };
}

const text = (c: Cell) => (c === null ? "" : c instanceof Date ? c.toISOString().slice(0, 10) : String(c).trim());

/** Reads a table against the programme's organisations, dimensions and the actor's scope. */
export async function planImport(prisma: Db, input: { table: Table; scope: Scope; timeZone: string; now?: Date }): Promise<ImportPlan> {
  const { table, scope, timeZone } = input;
  const now = input.now ?? new Date();
  const dims = await loadDimensions(prisma);
  const known = knownColumns(await loadDimensions(prisma, { includeInactive: true }), timeZone);
  const problems: Problem[] = [];
  const ignored: string[] = [];

  // The header: every column known, none twice, the required ones there.
  const columns: Array<Column | undefined> = table.headers.map((h) => {
    if (!h) return undefined;
    const col = known.exact.get(norm(h)) ?? known.loose.get(base(h));
    if (!col) problems.push({ line: 1, column: h, code: "unknown_column", params: { nearest: closest(h, known.names) } });
    else if ("field" in col && DERIVED.includes(col.field)) ignored.push(h);
    return col;
  });
  const seen = new Map<string, string>();
  columns.forEach((col, i) => {
    if (!col) return;
    const key = "field" in col ? col.field : `dimension:${col.dimension.id}`;
    if (seen.has(key)) problems.push({ line: 1, column: table.headers[i]!, code: "duplicate_column", params: { other: seen.get(key)! } });
    else seen.set(key, table.headers[i]!);
  });
  const t = translator("en");
  for (const required of ["organisation", "description"] as const)
    if (!seen.has(required)) problems.push({ line: 1, code: "missing_column", params: { column: t(`export.columns.${required}`) } });
  if (problems.length) return { rows: [], problems, ignored, creates: 0, updates: 0 };

  const fieldIndex = new Map<StatementField, number>();
  columns.forEach((c, i) => {
    if (c && "field" in c) fieldIndex.set(c.field, i);
  });
  const organisations = await prisma.organisation.findMany({ select: { id: true, name: true } });
  const orgByName = new Map(organisations.map((o) => [norm(o.name), o]));
  const statuses = choiceWords(IMPORTABLE, (s, lang) => [translator(lang)(`status.${s}`)]);
  const actorTypes = choiceWords(ACTOR_TYPES, (k, lang) => [translator(lang)(`actor_types.${k}`)]);
  const yesNo = new Map<string, boolean>();
  for (const lang of LANGUAGES) {
    const tl = translator(lang);
    yesNo.set(norm(tl("export.yes")), true);
    yesNo.set(norm(tl("export.no")), false);
  }
  for (const [w, v] of [
    ["yes", true],
    ["no", false],
    ["true", true],
    ["false", false],
    ["1", true],
    ["0", false],
  ] as const)
    yesNo.set(w, v);
  // An option by its label in any language, or its key.
  const optionWords = new Map(dims.map((d) => [d.id, new Map<string, number>()] as const));
  for (const d of dims)
    for (const o of d.options) {
      const words = optionWords.get(d.id)!;
      words.set(norm(o.key), o.id);
      for (const lang of LANGUAGES) words.set(norm(label(o, lang)), o.id);
    }

  const rows: PlannedRow[] = [];
  const references = new Map<string, number>();
  for (const { line, cells } of input.table.rows) {
    const at = (field: StatementField) => {
      const i = fieldIndex.get(field) ?? -1;
      return i === -1 ? { value: "", header: "", raw: null as Cell } : { value: text(cells[i]!), header: table.headers[i]!, raw: cells[i]! };
    };
    const problem = (column: string, code: ProblemCode, params?: Problem["params"]) => problems.push({ line, column: column || undefined, code, params });
    const limited = (field: StatementField, limit: number) => {
      const c = at(field);
      if (c.value.length > limit) problem(c.header, "too_long", { limit, length: c.value.length });
      return c.value || null;
    };

    const org = at("organisation");
    const organisation = orgByName.get(norm(org.value));
    if (!org.value) problem(org.header, "required");
    else if (!organisation)
      problem(org.header, "unknown_organisation", {
        value: org.value,
        nearest:
          closest(
            org.value,
            organisations.map((o) => o.name),
          ) ?? "",
      });
    else if (!inScope(scope, organisation.id)) problem(org.header, "outside_scope", { value: org.value });

    const description = limited("description", IMPORT_LIMITS.text);
    if (!description) problem(at("description").header, "required");

    const statusCell = at("status");
    let status: OutcomeStatus = "accepted";
    if (statusCell.value) {
      const s = statuses.get(norm(statusCell.value));
      if (s) status = s;
      else problem(statusCell.header, "unknown_status", { value: statusCell.value });
    }

    const dateCell = at("date");
    let date: ParsedDate | undefined;
    if (dateCell.raw instanceof Date) date = { kind: "month", start: { year: dateCell.raw.getUTCFullYear(), month: dateCell.raw.getUTCMonth() + 1 } };
    else if (dateCell.value) {
      // Stricter than the chat, which echoes its reading back: a word no rule reads makes it unreadable.
      date = unreadWords(dateCell.value).length ? undefined : parseDate(dateCell.value, now);
      if (!date) problem(dateCell.header, "unreadable_date", { value: dateCell.value });
    }

    const harvestedCell = at("harvested");
    const harvestedAt = harvestedCell.value ? readDay(harvestedCell.raw) : null;
    if (harvestedCell.value && !harvestedAt) problem(harvestedCell.header, "unreadable_date", { value: harvestedCell.value });

    const count = (field: "people" | "women") => {
      const c = at(field);
      if (!c.value) return null;
      const n = typeof c.raw === "number" && Number.isSafeInteger(c.raw) && c.raw >= 0 ? c.raw : parseCount(c.value);
      if (n === undefined) problem(c.header, "unreadable_number", { value: c.value });
      return n ?? null;
    };
    const flag = (field: "expected" | "positive") => {
      const c = at(field);
      if (!c.value) return null;
      const v = yesNo.get(norm(c.value));
      if (v === undefined) problem(c.header, "unreadable_yes_no", { value: c.value });
      return v ?? null;
    };
    const actorTypeCell = at("actor_type");
    const actorType = actorTypeCell.value ? (actorTypes.get(norm(actorTypeCell.value)) ?? null) : null;
    if (actorTypeCell.value && !actorType) problem(actorTypeCell.header, "unknown_actor_type", { value: actorTypeCell.value });

    const reference = limited("reference", IMPORT_LIMITS.short);
    if (reference) {
      const first = references.get(reference);
      if (first !== undefined) problem(at("reference").header, "duplicate_reference", { value: reference, other: first });
      else references.set(reference, line);
    }

    // A joint outcome: the other organisations, by name, separated by ";".
    const contributorsCell = at("contributors");
    const contributorIds: number[] = [];
    for (const name of contributorsCell.value.split(/\s*;\s*/).filter(Boolean)) {
      const other = orgByName.get(norm(name));
      if (!other)
        problem(contributorsCell.header, "unknown_organisation", {
          value: name,
          nearest:
            closest(
              name,
              organisations.map((o) => o.name),
            ) ?? "",
        });
      else if (!inScope(scope, other.id)) problem(contributorsCell.header, "outside_scope", { value: name });
      else if (other.id !== organisation?.id && !contributorIds.includes(other.id)) contributorIds.push(other.id);
    }

    const optionIds: number[] = [];
    columns.forEach((col, i) => {
      if (!col || !("dimension" in col)) return;
      const d = dims.find((x) => x.id === col.dimension.id);
      const value = text(cells[i]!);
      if (!value) return;
      const header = table.headers[i]!;
      if (!d) {
        problem(header, "unknown_option", { value, dimension: label(col.dimension, "en"), nearest: "" }); // a switched-off dimension
        return;
      }
      const chosen = value
        .split(/\s*;\s*/)
        .filter(Boolean)
        .map((v) => {
          const id = optionWords.get(d.id)!.get(norm(v));
          if (!id)
            problem(header, "unknown_option", {
              value: v,
              dimension: label(d, "en"),
              nearest:
                closest(
                  v,
                  d.options.map((o) => label(o, "en")),
                ) ?? "",
            });
          return id;
        })
        .filter((x): x is number => x !== undefined);
      if (!d.multiple && new Set(chosen).size > 1) problem(header, "one_option_only", { dimension: label(d, "en") });
      optionIds.push(...new Set(chosen));
    });

    const extra = cells.length > table.headers.length;
    if (extra) problem("", "extra_cells");

    rows.push({
      line,
      reference,
      contributorIds,
      optionIds,
      data: {
        organisationId: organisation?.id ?? 0,
        status,
        language: writtenIn(description ?? "", "en"),
        reportedBy: limited("reported_by", IMPORT_LIMITS.short),
        harvestedAt,
        description: description ?? "",
        significance: limited("significance", IMPORT_LIMITS.text),
        contribution: limited("contribution", IMPORT_LIMITS.text),
        dateText: dateCell.value || null,
        dateKind: date?.kind ?? null,
        dateStart: date ? ymToString(date.start) : null,
        dateEnd: date?.end ? ymToString(date.end) : null,
        place: limited("place", IMPORT_LIMITS.short),
        actorName: limited("actor", IMPORT_LIMITS.short),
        actorType,
        peopleAffected: count("people"),
        womenAffected: count("women"),
        expected: flag("expected"),
        positive: flag("positive"),
      },
    });
  }

  // Rows whose reference was imported before update that statement (if the actor may change it).
  const existing = references.size
    ? await prisma.outcome.findMany({
        where: { externalRef: { in: [...references.keys()] } },
        select: { id: true, externalRef: true, organisationId: true, version: true, contributors: true },
      })
    : [];
  const byRef = new Map(existing.map((o) => [o.externalRef!, o]));
  for (const row of rows) {
    const before = row.reference ? byRef.get(row.reference) : undefined;
    if (!before) continue;
    if (!outcomeInScope(scope, before)) problems.push({ line: row.line, code: "outside_scope", params: { value: row.reference! } });
    row.update = { id: before.id, version: before.version };
  }
  // In the order of the file: by line, then by column.
  const position = (p: Problem) => (p.column === undefined ? table.headers.length : table.headers.indexOf(p.column));
  problems.sort((a, b) => a.line - b.line || position(a) - position(b));
  const updates = rows.filter((r) => r.update).length;
  return { rows, problems, ignored, creates: rows.length - updates, updates };
}

/**
 * A day from a cell: a spreadsheet date, or "2024-03-15" (Khmer digits too). Kept at noon UTC,
 * which is the same calendar day in the programme's time zones (UTC+7).
 */
function readDay(raw: Cell): Date | null {
  if (raw instanceof Date) return raw;
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2})?$/.exec(khmerToAsciiDigits(String(raw ?? "").trim()));
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const day = new Date(Date.UTC(y, mo - 1, d, 12));
  return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d ? day : null;
}

export class ImportChanged extends Error {
  constructor() {
    super("statements this import updates were changed meanwhile: read the file again");
  }
}

/**
 * Writes a plan without problems, all rows in one transaction: creates what is new, updates what
 * was imported before with the same reference (its parts and classification), and logs an
 * "imported" event for each, by the actor, naming the file.
 */
export async function applyImport(
  prisma: Db,
  plan: ImportPlan,
  input: { actorId: number | null; fileName: string; now?: Date },
): Promise<{ created: number; updated: number; ids: number[] }> {
  if (plan.problems.length) throw new Error("an import with problems is not written");
  return prisma.$transaction((tx) => writePlan(tx, plan, input), { timeout: 120_000, maxWait: 120_000 });
}

/** The writes of an import, in the caller's transaction. */
async function writePlan(tx: Tx, plan: ImportPlan, input: { actorId: number | null; fileName: string; now?: Date }) {
  const now = input.now ?? new Date();
  const ids: number[] = [];
  for (const row of plan.rows) {
    const fields = { ...row.data, externalRef: row.reference, waitingSince: row.data.status === "submitted" ? now : null };
    let id: number;
    if (row.update) {
      const { count } = await tx.outcome.updateMany({
        where: { id: row.update.id, version: row.update.version },
        data: { ...fields, version: { increment: 1 } },
      });
      if (count !== 1) throw new ImportChanged();
      id = row.update.id;
      await tx.classification.deleteMany({ where: { outcomeId: id } });
      await tx.outcomeOrganisation.deleteMany({ where: { outcomeId: id } });
    } else {
      id = (await tx.outcome.create({ data: { ...fields, authorId: null, submittedAt: now, step: null } })).id;
    }
    if (row.contributorIds.length)
      await tx.outcomeOrganisation.createMany({ data: row.contributorIds.map((organisationId) => ({ outcomeId: id, organisationId })) });
    if (row.optionIds.length)
      await tx.classification.createMany({ data: row.optionIds.map((optionId) => ({ outcomeId: id, optionId, createdById: input.actorId })) });
    await tx.outcomeEvent.create({
      data: { outcomeId: id, actorId: input.actorId, type: row.update ? "import_updated" : "imported", newValue: input.fileName.slice(0, 200), createdAt: now },
    });
    ids.push(id);
  }
  return { created: plan.creates, updated: plan.updates, ids };
}

// --- Files sent to the bot (/import) ---

/** A file a coordinator sent: the background reader downloads and checks it (import/reader.ts); undefined for anyone else. */
export async function requestImport(prisma: Db, input: { userId: number; chatId: number; lang: Lang; admin: boolean; fileId: string; fileName: string }) {
  // Only a coordinator's file is read; anyone else's is refused here, not only in the chat.
  if (!(await coordinatorScope(prisma, input.userId, input.admin))) return undefined;
  return prisma.importJob.create({ data: { ...input, chatId: BigInt(input.chatId) } });
}

export type ConfirmResult =
  | { status: "not_found" }
  | { status: "not_waiting"; was: string }
  | { status: "changed"; plan: ImportPlan; fileName: string }
  | { status: "imported"; created: number; updated: number; fileName: string };

/**
 * A coordinator confirms the dry run of their file: it is checked again, with their scope now,
 * and written if nothing changed; the job is marked imported in the same transaction, so a
 * second press writes nothing. Someone else's job is "not_found".
 */
export async function confirmJob(prisma: Db, input: { jobId: number; userId: number; scope: Scope; timeZone: string }): Promise<ConfirmResult> {
  const job = await prisma.importJob.findUnique({ where: { id: input.jobId } });
  if (!job || job.userId !== input.userId) return { status: "not_found" };
  if (job.status !== "planned" || !job.file) return { status: "not_waiting", was: job.status };
  const table = await readTable(Buffer.from(job.file, "base64"), job.fileName);
  const plan = await planImport(prisma, { table, scope: input.scope, timeZone: input.timeZone });
  if (plan.problems.length || plan.creates !== job.creates || plan.updates !== job.updates) {
    await prisma.importJob.updateMany({ where: { id: job.id, status: "planned" }, data: { status: "failed", problems: plan.problems.length } });
    return { status: "changed", plan, fileName: job.fileName };
  }
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.importJob.updateMany({ where: { id: job.id, status: "planned" }, data: { status: "imported", file: null } });
    if (count !== 1) return { status: "not_waiting" as const, was: "imported" };
    const done = await writePlan(tx, plan, { actorId: input.userId, fileName: job.fileName });
    return { status: "imported" as const, created: done.created, updated: done.updated, fileName: job.fileName };
  });
}

/** The coordinator leaves it: nothing is written, the file is forgotten. */
export async function cancelJob(prisma: Db, input: { jobId: number; userId: number }): Promise<"cancelled" | "not_waiting" | "not_found"> {
  const job = await prisma.importJob.findUnique({ where: { id: input.jobId }, select: { userId: true } });
  if (!job || job.userId !== input.userId) return "not_found";
  const { count } = await prisma.importJob.updateMany({ where: { id: input.jobId, status: "planned" }, data: { status: "cancelled", file: null } });
  return count === 1 ? "cancelled" : "not_waiting";
}
