/**
 * Reads the table of a file a person wants to import: the first sheet of an XLSX workbook (the
 * statements sheet of an export), or a CSV file. Pure: bytes in, a table of cells out.
 */
import { parse } from "csv-parse/sync";

export type Cell = string | number | Date | null;

export interface Table {
  headers: string[];
  /** The data rows, each with the line it has in the file (the header is line 1). */
  rows: Array<{ line: number; cells: Cell[] }>;
}

/** Why a file could not be read at all (named to the person in their language). */
export type Unreadable = "type" | "corrupt" | "empty" | "too_large";

export class UnreadableFile extends Error {
  constructor(readonly reason: Unreadable) {
    super(`unreadable file: ${reason}`);
  }
}

/** The largest file read (an export of ten thousand statements is about 1.5 MB). */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

export async function readTable(bytes: Buffer, fileName: string): Promise<Table> {
  if (bytes.length > MAX_FILE_BYTES) throw new UnreadableFile("too_large");
  const name = fileName.toLowerCase();
  const zip = bytes.subarray(0, 2).toString("latin1") === "PK";
  if (name.endsWith(".xlsx") && zip) return readWorkbook(bytes);
  if (name.endsWith(".csv") && !zip) return readCsv(bytes);
  throw new UnreadableFile(name.endsWith(".xlsx") || name.endsWith(".csv") ? "corrupt" : "type");
}

async function readWorkbook(bytes: Buffer): Promise<Table> {
  const { default: Excel } = await import("exceljs");
  const wb = new Excel.Workbook();
  try {
    await wb.xlsx.load(bytes as never);
  } catch {
    throw new UnreadableFile("corrupt");
  }
  const ws = wb.worksheets[0];
  if (!ws) throw new UnreadableFile("empty");
  const lines: Array<{ line: number; cells: Cell[] }> = [];
  ws.eachRow({ includeEmpty: false }, (row, line) => {
    const cells: Cell[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellValue(cell.value);
    });
    lines.push({ line, cells });
  });
  return toTable(lines);
}

/** A cell's value as text, number or date. A formula is kept as its text ("=1+2"), never run. */
function cellValue(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || v instanceof Date) return v;
  if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
  if (typeof v === "object") {
    const o = v as { formula?: string; sharedFormula?: string; richText?: Array<{ text: string }>; text?: string; hyperlink?: string; error?: string };
    if (o.formula !== undefined || o.sharedFormula !== undefined) return `=${o.formula ?? o.sharedFormula}`;
    if (o.richText) return o.richText.map((r) => r.text).join("");
    if (o.text !== undefined) return String(o.text);
    if (o.error !== undefined) return String(o.error);
  }
  return String(v);
}

/** The delimiter of a CSV file, told by its header line: a comma, or the semicolon or tab some spreadsheet programs write. */
function delimiterOf(text: string): string {
  const head = text.slice(0, text.search(/\r?\n|$/));
  const count = (d: string) => head.split(d).length;
  return [",", ";", "\t"].reduce((best, d) => (count(d) > count(best) ? d : best), ",");
}

function readCsv(bytes: Buffer): Promise<Table> {
  let records: string[][];
  const text = bytes.toString("utf8");
  try {
    records = parse(text, { bom: true, delimiter: delimiterOf(text), relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch {
    throw new UnreadableFile("corrupt");
  }
  // A cell the export protected from spreadsheet formulas ("'=…") is given back as written.
  const unprotect = (s: string) => (/^'[=+\-@\t\r]/.test(s) ? s.slice(1) : s);
  return Promise.resolve(toTable(records.map((r, i) => ({ line: i + 1, cells: r.map((c) => (c === "" ? null : unprotect(c))) }))));
}

function toTable(lines: Array<{ line: number; cells: Cell[] }>): Table {
  const [head, ...rows] = lines;
  if (!head) throw new UnreadableFile("empty");
  const headers = Array.from(head.cells, (c) => (c === null || c === undefined ? "" : String(c).trim()));
  const data = rows.filter((r) => r.cells.some((c) => c !== null && c !== undefined && String(c).trim() !== ""));
  return { headers, rows: data.map((r) => ({ line: r.line, cells: Array.from({ length: headers.length }, (_, i) => r.cells[i] ?? null) })) };
}
