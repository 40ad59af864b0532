/** Reads back what the export writes, as a person opening the workbook would see it. */
import ExcelJS from "exceljs";
import type { Db } from "../../src/platform/db/client.js";
import { workbookBuffer } from "../../src/reporting/workbook.js";

/** The rows of one sheet of a workbook (the first when no name is given), header first. */
export async function sheetRows(buffer: Buffer, name?: string): Promise<unknown[][]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer as never);
  const ws = name ? wb.getWorksheet(name)! : wb.worksheets[0]!;
  const rows: unknown[][] = [];
  ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

/** The English export of every statement, one sheet of it. */
export async function exportedSheet(prisma: Db, name?: string): Promise<unknown[][]> {
  const { buffer } = await workbookBuffer(prisma, { scope: { all: true }, period: {}, lang: "en", timeZone: "Asia/Phnom_Penh" });
  return sheetRows(buffer, name);
}
