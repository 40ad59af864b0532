/**
 * Exports for monitoring and evaluation staff: an XLSX workbook (statements with every
 * classification dimension as columns, substantiation answers, the results table and headline,
 * the data of every chart (count, base and percentage per bar),
 * the event log) and a CSV of the statements sheet. Headers follow the reader's language.
 * Anonymous sources are never named: their rows say "Anonymous source".
 */
import { PassThrough } from "node:stream";
// exceljs is large: loaded on the first export, not at start-up.
import type ExcelJS from "exceljs";
import type { Db } from "../platform/db/client.js";
import type { Prisma } from "../generated/prisma/client.js";
import { formatDate } from "../harvest/dates.js";
import { draftDate } from "../harvest/views.js";
import { gapList } from "../harvest/lead.js";
import { leadGapsOfRow } from "../harvest/coaching.js";
import { linksFromRows } from "../review/links.js";
import { linksSection } from "../review/views.js";
import { isLang, translator, type Lang, type T } from "../platform/i18n/index.js";
import { writtenIn } from "../platform/i18n/script.js";
import { ofOrganisation, scopeFilter, type Scope } from "../shared/access.js";
import { authorName, personName } from "../shared/users.js";
import { type DimensionWithOptions, label, loadDimensions } from "../classification/service.js";
import { inPeriod, statementMonth, type Period } from "./stats.js";
import { headlineParams, perOutcome, perSource, LEVELS, PARTS } from "../substantiation/results.js";
import { collectResults } from "../substantiation/service.js";
import { formatTime, LANGUAGE_AUTONYMS } from "../platform/i18n/format.js";
import { describeEvent, eventLabels, eventParts, rememberingT } from "./events.js";
import { htmlToText } from "../platform/telegram/html.js";
import { chartData } from "./charts.js";

export interface ExportQuery {
  scope: Scope;
  organisationId?: number;
  period: Period;
  lang: Lang;
  timeZone: string;
  /** Narrows the statements further (the console's filters). */
  where?: Prisma.OutcomeWhereInput;
}

/** A time for a spreadsheet: "2026-11-25 14:05" in the programme's time zone (named in the column's header). */
const localTime = (d: Date | null | undefined, timeZone: string) => (d ? formatTime(d, timeZone) : "");
/** A day for a spreadsheet: "2026-11-25" in the programme's time zone. */
const localDay = (d: Date | null | undefined, timeZone: string) => localTime(d, timeZone).slice(0, 10);

/**
 * A statement's reference: the one it was imported with, else its number here ("OH-12"), so an
 * export imported elsewhere, and imported there again, updates what the first import created.
 */
export const referenceOf = (o: { id: number; externalRef: string | null }) => o.externalRef ?? `OH-${o.id}`;

/**
 * The statements in scope and period (submitted or later; drafts and discarded ones are not
 * exported), a thousand at a time so a large export never holds them all.
 */
async function* loadStatements(prisma: Db, q: ExportQuery) {
  const base: Prisma.OutcomeWhereInput = {
    status: { not: "draft" },
    discardedAt: null,
    ...scopeFilter(q.scope),
    ...(q.organisationId ? ofOrganisation(q.organisationId) : {}),
  };
  const where = q.where ? { AND: [base, q.where] } : base;
  let after = 0;
  for (;;) {
    const rows = await prisma.outcome.findMany({
      where: { ...where, id: { gt: after } },
      orderBy: { id: "asc" },
      take: CHUNK,
      include: {
        organisation: { select: { name: true } },
        author: { select: { displayName: true, deletedAt: true } },
        classifications: { select: { optionId: true } },
        evidence: { where: { kind: "voice" }, select: { part: true } },
        contributors: { select: { organisation: { select: { name: true } } } },
        questions: { select: { questionId: true, question: { select: { text: true } } } },
        linksFrom: { select: { kind: true, toId: true } },
        linksTo: { select: { kind: true, fromId: true } },
      },
    });
    if (rows.length === 0) return;
    after = rows[rows.length - 1]!.id;
    yield rows.filter((o) => inPeriod(statementMonth(o), q.period));
  }
}

/** The statements sheet: its headers, then its rows a chunk at a time (shared by the XLSX and the CSV). */
async function statementSheet(prisma: Db, q: ExportQuery) {
  const t = translator(q.lang);
  const dims = await loadDimensions(prisma, { includeInactive: true });
  const headers = statementColumns(t, q.timeZone, q.lang, dims).map((c) => c.header);
  const yesNo = (v: boolean | null) => (v === null ? "" : t(v ? "export.yes" : "export.no"));
  async function* chunks() {
    for await (const statements of loadStatements(prisma, q)) {
      yield statements.map((o) => {
        const date = draftDate(o);
        const chosen = new Set(o.classifications.map((c) => c.optionId));
        // Each part's own language (a Khmer author may answer a part in English), by its script.
        const languageOf = (text: string | null) => (text ? LANGUAGE_AUTONYMS[writtenIn(text, isLang(o.language) ? o.language : "en")] : "");
        return {
          id: o.id,
          options: [...chosen],
          questions: o.questions.map((x) => ({ id: x.questionId, text: x.question.text })),
          cells: [
            o.id,
            o.organisation.name,
            t(`status.${o.status}`),
            o.description ?? "",
            languageOf(o.description),
            o.significance ?? "",
            languageOf(o.significance),
            o.contribution ?? "",
            languageOf(o.contribution),
            date ? formatDate(date, q.lang) : (o.dateText ?? ""),
            o.place ?? "",
            o.actorName ?? "",
            o.actorType ? t(`actor_types.${o.actorType}`) : "",
            o.peopleAffected ?? "",
            o.womenAffected ?? "",
            yesNo(o.expected),
            yesNo(o.positive),
            localTime(o.submittedAt, q.timeZone),
            referenceOf(o),
            authorName(o, t),
            localDay(o.harvestedAt ?? o.submittedAt, q.timeZone),
            gapList(t, leadGapsOfRow(o)),
            htmlToText(linksSection(t, linksFromRows(o)) ?? "").replace(/\n/g, "; "),
            o.contributors.map((c) => c.organisation.name).join("; "),
            o.questions.map((q) => q.question.text).join("; "),
            ...dims.map((d) =>
              d.options
                .filter((x) => chosen.has(x.id))
                .map((x) => label(x, q.lang))
                .join("; "),
            ),
          ] as Array<string | number>,
        };
      });
    }
  }
  return { headers, chunks, dims };
}

/** The statement's own columns of the export, in order (the importer reads them back by these names). */
export const STATEMENT_FIELDS = [
  "number",
  "organisation",
  "status",
  "description",
  "description_language",
  "significance",
  "significance_language",
  "contribution",
  "contribution_language",
  "date",
  "place",
  "actor",
  "actor_type",
  "people",
  "women",
  "expected",
  "positive",
  "submitted",
  "reference",
  "reported_by",
  "harvested",
  "lacks",
  "links",
  "contributors",
  "questions",
] as const;
export type StatementField = (typeof STATEMENT_FIELDS)[number];

export type StatementColumn = { header: string } & ({ field: StatementField } | { dimensionId: number });

/**
 * The statements sheet's columns in one language: the statement's fields, then a column per
 * dimension. A dimension named like a field ("Significance") is marked as the classification, and
 * any name still repeated is numbered, so every header is unique.
 */
export function statementColumns(t: T, timeZone: string, lang: Lang, dims: DimensionWithOptions[]): StatementColumn[] {
  const fields: StatementColumn[] = STATEMENT_FIELDS.map((field) => ({ field, header: t(`export.columns.${field}`, { tz: timeZone }) }));
  const parts = new Set(fields.map((c) => c.header));
  const columns = [
    ...fields,
    ...dims.map((d) => {
      const name = label(d, lang);
      return { dimensionId: d.id, header: parts.has(name) ? t("export.columns.classified", { label: name }) : name };
    }),
  ];
  const unique = uniqueHeaders(columns.map((c) => c.header));
  return columns.map((c, i) => ({ ...c, header: unique[i]! }));
}

/**
 * Headers unique within a sheet, so that a lookup by header (a pivot, a script, the importer)
 * finds the right column: a name that is still repeated gets a number, "Region (2)".
 */
export function uniqueHeaders(headers: string[]): string[] {
  const seen = new Set<string>();
  return headers.map((h) => {
    let name = h;
    for (let n = 2; seen.has(name); n++) name = `${h} (${n})`;
    seen.add(name);
    return name;
  });
}

/** The statements sheet as rows of cells, headers first. */
export async function statementRows(prisma: Db, q: ExportQuery) {
  const { headers, chunks } = await statementSheet(prisma, q);
  const rows: Array<Array<string | number>> = [];
  const ids: number[] = [];
  for await (const chunk of chunks())
    for (const r of chunk) {
      rows.push(r.cells);
      ids.push(r.id);
    }
  return { headers, rows, ids };
}

type SheetWriter = ReturnType<ExcelJS.stream.xlsx.WorkbookWriter["addWorksheet"]>;

/** One sheet, written row by row (a streaming writer keeps memory flat for large exports). */
function addSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, name: string, headers: string[], rows: Iterable<Array<string | number>>): SheetWriter {
  const ws = wb.addWorksheet(name.slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = headers.map(() => ({ width: 18 }));
  const head = ws.addRow(uniqueHeaders(headers));
  head.font = { bold: true };
  head.commit();
  for (const r of rows) ws.addRow(r).commit();
  return ws;
}

/** The export as an XLSX file: statements, substantiation answers, results and the event log. */
export async function workbookBuffer(prisma: Db, q: ExportQuery): Promise<{ buffer: Buffer; statements: number }> {
  const { default: Excel } = await import("exceljs");
  const t = translator(q.lang);
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((resolve, reject) => {
    out.on("end", resolve);
    out.on("error", reject);
  });
  const wb = new Excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = "Outcome Harvest bot";
  const sheet = await statementSheet(prisma, q);
  const ids: number[] = [];
  const chosen: Array<{ id: number; options: number[] }> = [];
  // The statements of each harvesting question, gathered on the way (a sheet of their own).
  const byQuestion = new Map<number, { text: string; ids: number[] }>();
  const ws = addSheet(wb, t("export.sheets.statements"), sheet.headers, []);
  for await (const chunk of sheet.chunks())
    for (const r of chunk) {
      ws.addRow(r.cells).commit();
      ids.push(r.id);
      chosen.push({ id: r.id, options: r.options });
      for (const question of r.questions) {
        const group = byQuestion.get(question.id) ?? { text: question.text, ids: [] };
        group.ids.push(r.id);
        byQuestion.set(question.id, group);
      }
    }
  ws.commit();
  classificationSheets(wb, q, sheet.dims, chosen);

  await answersSheet(wb, prisma, q, ids);
  await resultsSheet(wb, prisma, q, ids);
  await chartsSheet(wb, prisma, q);
  questionsSheet(wb, q, byQuestion);
  await eventsSheet(wb, prisma, q, ids);
  await wb.commit();
  await done;
  return { buffer: Buffer.concat(chunks), statements: ids.length };
}

/**
 * The classification shaped for analysis (the statements sheet keeps the readable "A; B" cells):
 * a long sheet with a row per statement and option chosen, and a sheet with a 0/1 column per
 * option, ready for a pivot or a regression.
 */
function classificationSheets(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  q: ExportQuery,
  dims: DimensionWithOptions[],
  rows: Array<{ id: number; options: number[] }>,
) {
  const t = translator(q.lang);
  const options = dims.flatMap((d) => d.options.map((o) => ({ dimension: label(d, q.lang), option: label(o, q.lang), id: o.id })));
  const byId = new Map(options.map((o) => [o.id, o]));
  const long = rows.flatMap((r) => options.filter((o) => r.options.includes(o.id)).map((o) => [r.id, o.dimension, o.option] as Array<string | number>));
  addSheet(wb, t("export.sheets.classification_long"), [t("export.columns.number"), t("export.columns.dimension"), t("export.columns.bar")], long).commit();
  addSheet(
    wb,
    t("export.sheets.classification_flags"),
    [t("export.columns.number"), ...options.map((o) => `${o.dimension}: ${o.option}`)],
    rows.map((r) => {
      const set = new Set(r.options.filter((id) => byId.has(id)));
      return [r.id, ...options.map((o) => (set.has(o.id) ? 1 : 0))];
    }),
  ).commit();
}

/** Substantiation answers: one row per source and part. */
async function answersSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, prisma: Db, q: ExportQuery, ids: number[]) {
  const t = translator(q.lang);
  const assignments = await inChunks(ids, (chunk) =>
    prisma.substantiationAssignment.findMany({
      where: { outcomeId: { in: chunk }, status: "submitted" },
      include: { answers: true, recordedBy: { select: { displayName: true, deletedAt: true } } },
      orderBy: [{ outcomeId: "asc" }, { id: "asc" }],
    }),
  );
  const anonymous = t("source.anonymous_source");
  // How the answer was collected: by the source in the bot, or given offline and recorded by a coordinator.
  const collected = (a: (typeof assignments)[number]) =>
    a.recordedBy ? htmlToText(t("export.collected_offline", { name: personName(a.recordedBy, t) })) : t("export.collected_bot");
  const answerRows = assignments.flatMap((a) =>
    PARTS.map((p) => {
      const x = a.answers.find((y) => y.part === p);
      return [
        a.outcomeId,
        a.anonymous ? anonymous : a.label,
        t(`source.parts.${p}`),
        x ? t(`source.levels.${x.level}`) : "",
        x?.comment ?? "",
        x?.commentFileId ? t("export.yes") : "",
        localTime(a.submittedAt, q.timeZone),
        collected(a),
      ];
    }),
  );
  addSheet(
    wb,
    t("export.sheets.answers"),
    ["outcome", "source", "part", "level", "comment", "voice", "answered", "collected"].map((h) => t(`export.columns.${h}`, { tz: q.timeZone })),
    answerRows,
  ).commit();
}

/** The results table per outcome, then the per-source headline. */
async function resultsSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, prisma: Db, q: ExportQuery, ids: number[]) {
  const t = translator(q.lang);
  const { sources } = await collectResults(prisma, { id: { in: ids } });
  const table = perOutcome(sources).map((r) => [r.outcomeId, r.sources, ...LEVELS.map((l) => r.counts[l])]);
  const h = perSource(sources);
  addSheet(
    wb,
    t("export.sheets.results"),
    [t("results.outcome"), t("results.sources"), ...LEVELS.map((l) => t(`results.${l}`))],
    [...table, [], [t("results.headline", headlineParams(h))], [t("results.rule")]],
  ).commit();
}

/** The exported statements grouped by the harvesting question they answer: a row per question. */
function questionsSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, q: ExportQuery, byQuestion: Map<number, { text: string; ids: number[] }>) {
  const t = translator(q.lang);
  addSheet(
    wb,
    t("export.sheets.questions"),
    ["harvest_question", "count", "numbers"].map((h) => t(`export.columns.${h}`)),
    [...byQuestion].sort(([a], [b]) => a - b).map(([, g]) => [g.text, g.ids.length, g.ids.join(", ")]),
  ).commit();
}

/** What each chart draws, a row per bar: its count, what that is a share of, and the percentage (accepted statements, as /charts). */
async function chartsSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, prisma: Db, q: ExportQuery) {
  const t = translator(q.lang);
  const charts = await chartData(prisma, q.scope, q.period, q.lang, q.organisationId, q.where);
  addSheet(
    wb,
    t("export.sheets.charts"),
    ["chart", "bar", "count", "base", "percent"].map((h) => t(`export.columns.${h}`)),
    charts.flatMap((c) => c.bars.map((b) => [c.title, b.label, b.count, b.base, b.percent])),
  ).commit();
}

/**
 * The event log of the exported statements, a chunk of statements at a time: the same words as
 * /history in the reader's language, and the event's code in a column of its own for machines.
 */
async function eventsSheet(wb: ExcelJS.stream.xlsx.WorkbookWriter, prisma: Db, q: ExportQuery, ids: number[]) {
  const t = translator(q.lang);
  const labels = await eventLabels(prisma, q.lang);
  const tl = rememberingT(t);
  const events = wb.addWorksheet(t("export.sheets.events").slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
  events.columns = [10, 18, 18, 60, 18, 30, 30, 18].map((width) => ({ width }));
  const head = events.addRow(["outcome", "time", "who", "event", "field", "old", "new", "code"].map((x) => t(`export.columns.${x}`, { tz: q.timeZone })));
  head.font = { bold: true };
  head.commit();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await prisma.outcomeEvent.findMany({
      where: { outcomeId: { in: ids.slice(i, i + CHUNK) } },
      orderBy: { id: "asc" },
      include: { actor: { select: { displayName: true, deletedAt: true } } },
    });
    for (const e of rows) {
      const parts = eventParts(e, tl, q.lang, labels, 32_000);
      const plain = htmlToText;
      events
        .addRow([
          e.outcomeId,
          localTime(e.createdAt, q.timeZone),
          plain(parts.who),
          plain(describeEvent(e, tl, q.lang, labels)),
          plain(parts.field),
          e.oldValue === null ? "" : plain(parts.old),
          e.newValue === null ? "" : plain(parts.new),
          e.type,
        ])
        .commit();
    }
  }
  events.commit();
}

/** Statement ids go to the database a thousand at a time (one huge IN list is slow to plan). */
const CHUNK = 1000;
async function inChunks<T>(ids: number[], load: (chunk: number[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await load(ids.slice(i, i + CHUNK))));
  return out;
}

/**
 * A CSV cell. Text that a spreadsheet program would take for a formula (=, +, -, @ first) gets a
 * leading apostrophe, so opening the file never runs it; the importer takes the apostrophe off.
 */
export const csvCell = (v: string | number) => {
  const s = typeof v === "string" && /^[=+\-@\t\r]/.test(v) ? `'${v}` : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The statements sheet as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Khmer right). */
export async function statementsCsv(prisma: Db, q: ExportQuery): Promise<{ buffer: Buffer; statements: number }> {
  const { headers, rows, ids } = await statementRows(prisma, q);
  const text = `${[headers, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n")}\r\n`;
  return { buffer: Buffer.from(`\uFEFF${text}`, "utf8"), statements: ids.length };
}
