/**
 * Exports for monitoring and evaluation staff: an XLSX workbook (statements with every
 * classification dimension as columns, substantiation answers, the results table and headline,
 * the event log) and a CSV of the statements sheet. Headers follow the reader's language.
 * Anonymous sources are never named: their rows say "Anonymous source".
 */
import ExcelJS from "exceljs";
import type { Db } from "../db/client.js";
import type { Prisma } from "../generated/prisma/client.js";
import { formatDate } from "../harvest/dates.js";
import { draftDate } from "../harvest/format.js";
import { translator, type Lang } from "../i18n/index.js";
import { scopeFilter, type Scope } from "../onboarding/members.js";
import { label, loadDimensions } from "../review/classification.js";
import { inPeriod, statementMonth, type Period } from "../review/stats.js";
import { perOutcome, perSource, LEVELS, PARTS } from "../substantiation/results.js";
import { collectResults } from "../substantiation/service.js";
import { personName } from "../privacy/composer.js";

export interface ExportQuery {
  scope: Scope;
  organisationId?: number;
  period: Period;
  lang: Lang;
  timeZone: string;
}

const iso = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 16).replace("T", " ") : "");

/** The statements in scope and period (submitted or later; drafts and discarded ones are not exported). */
async function loadStatements(prisma: Db, q: ExportQuery) {
  const where: Prisma.OutcomeWhereInput = {
    status: { not: "draft" },
    discardedAt: null,
    ...scopeFilter(q.scope),
    ...(q.organisationId ? { organisationId: q.organisationId } : {}),
  };
  const rows = await prisma.outcome.findMany({
    where,
    orderBy: { id: "asc" },
    include: { organisation: true, classifications: { select: { optionId: true } } },
  });
  return rows.filter((o) => inPeriod(statementMonth(o), q.period));
}

/** The statements sheet as rows of cells, headers first: shared by the XLSX and the CSV. */
export async function statementRows(prisma: Db, q: ExportQuery) {
  const t = translator(q.lang);
  const statements = await loadStatements(prisma, q);
  const dims = await loadDimensions(prisma, { includeInactive: true });
  const headers = [
    "number", "organisation", "status", "description", "significance", "contribution", "date", "place", "actor", "actor_type",
    "people", "women", "expected", "positive", "submitted",
  ].map((h) => t(`export.columns.${h}`));
  headers.push(...dims.map((d) => label(d, q.lang)));
  const yesNo = (v: boolean | null) => (v === null ? "" : t(v ? "export.yes" : "export.no"));
  const rows = statements.map((o) => {
    const date = draftDate(o);
    const chosen = new Set(o.classifications.map((c) => c.optionId));
    return [
      o.id,
      o.organisation.name,
      t(`status.${o.status}`),
      o.description ?? "",
      o.significance ?? "",
      o.contribution ?? "",
      date ? formatDate(date, q.lang) : o.dateText ?? "",
      o.place ?? "",
      o.actorName ?? "",
      o.actorType ? t(`actor_types.${o.actorType}`) : "",
      o.peopleAffected ?? "",
      o.womenAffected ?? "",
      yesNo(o.expected),
      yesNo(o.positive),
      iso(o.submittedAt),
      ...dims.map((d) => d.options.filter((x) => chosen.has(x.id)).map((x) => label(x, q.lang)).join("; ")),
    ];
  });
  return { headers, rows, ids: statements.map((o) => o.id) };
}

function addSheet(wb: ExcelJS.Workbook, name: string, headers: string[], rows: Array<Array<string | number>>) {
  const ws = wb.addWorksheet(name.slice(0, 31));
  ws.addRow(headers).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  ws.views = [{ state: "frozen", ySplit: 1 }];
  ws.columns.forEach((c) => (c.width = 18));
  return ws;
}

export async function buildWorkbook(prisma: Db, q: ExportQuery): Promise<{ workbook: ExcelJS.Workbook; statements: number }> {
  const t = translator(q.lang);
  const wb = new ExcelJS.Workbook();
  wb.creator = "Outcome Harvest bot";
  const statements = await statementRows(prisma, q);
  addSheet(wb, t("export.sheets.statements"), statements.headers, statements.rows);

  // Substantiation answers: one row per source and part.
  const ids = statements.ids;
  const assignments = await prisma.substantiationAssignment.findMany({
    where: { outcomeId: { in: ids }, status: "submitted" },
    include: { answers: true },
    orderBy: [{ outcomeId: "asc" }, { id: "asc" }],
  });
  const anonymous = t("source.anonymous_source");
  const answerRows = assignments.flatMap((a) =>
    PARTS.map((p) => {
      const x = a.answers.find((y) => y.part === p);
      return [a.outcomeId, a.anonymous ? anonymous : a.label, t(`source.parts.${p}`), x ? t(`source.levels.${x.level}`) : "", x?.comment ?? "", x?.commentFileId ? t("export.yes") : "", iso(a.submittedAt)];
    }),
  );
  addSheet(
    wb,
    t("export.sheets.answers"),
    ["outcome", "source", "part", "level", "comment", "voice", "answered"].map((h) => t(`export.columns.${h}`)),
    answerRows,
  );

  // The results table per outcome, then the per-source headline.
  const { sources } = await collectResults(prisma, { id: { in: ids } });
  const table = perOutcome(sources).map((r) => [r.outcomeId, r.sources, ...LEVELS.map((l) => r.counts[l])]);
  const results = addSheet(
    wb,
    t("export.sheets.results"),
    [t("results.outcome"), t("results.sources"), ...LEVELS.map((l) => t(`results.${l}`))],
    table,
  );
  const h = perSource(sources);
  results.addRow([]);
  results.addRow([
    t("results.headline", { n: h.sources, fully: h.percent.fully, partially: h.percent.partially, disagrees: h.percent.disagrees, no_opinion: h.percent.no_opinion }),
  ]);
  results.addRow([t("results.rule")]);

  // The event log of the exported statements.
  const events = await prisma.outcomeEvent.findMany({ where: { outcomeId: { in: ids } }, orderBy: { id: "asc" }, include: { actor: true } });
  addSheet(
    wb,
    t("export.sheets.events"),
    ["outcome", "time", "who", "event", "field", "old", "new"].map((x) => t(`export.columns.${x}`)),
    events.map((e) => [e.outcomeId, iso(e.createdAt), e.actor ? personName(e.actor, t) : "", e.type, e.field ?? "", e.oldValue ?? "", e.newValue ?? ""]),
  );
  return { workbook: wb, statements: ids.length };
}

export async function workbookBuffer(prisma: Db, q: ExportQuery): Promise<{ buffer: Buffer; statements: number }> {
  const { workbook, statements } = await buildWorkbook(prisma, q);
  return { buffer: Buffer.from(await workbook.xlsx.writeBuffer()), statements };
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The statements sheet as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Khmer right). */
export async function statementsCsv(prisma: Db, q: ExportQuery): Promise<{ buffer: Buffer; statements: number }> {
  const { headers, rows, ids } = await statementRows(prisma, q);
  const text = [headers, ...rows].map((r) => r.map(csvCell).join(",")).join("\r\n") + "\r\n";
  return { buffer: Buffer.from(`\uFEFF${text}`, "utf8"), statements: ids.length };
}
