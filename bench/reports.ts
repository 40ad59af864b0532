/**
 * One digest and one XLSX export over an already seeded database, in a fresh process started
 * like the bot (same heap cap), so its peak memory is what a bot doing this would need.
 * Usage: node --import tsx bench/reports.ts <postgres-url | pglite-data-dir> <statements>
 */
import { openDatabase } from "../src/platform/db/client.js";
import { buildDigest } from "../src/reporting/service.js";
import { workbookBuffer } from "../src/reporting/workbook.js";

const [target, expected] = process.argv.slice(2);
const db = target!.startsWith("postgres") ? await openDatabase({ databaseUrl: target }) : await openDatabase({ dataDir: target });
const now = new Date();
const digestTimes: number[] = [];
for (let i = 0; i < 3; i++) {
  const t0 = performance.now();
  const d = await buildDigest(db.prisma, {
    scope: { all: true },
    from: new Date(now.getTime() - 31 * 86_400_000),
    to: now,
    now,
    lang: "en",
    timeZone: "Asia/Phnom_Penh",
    reminderDays: 7,
    late: false,
  });
  digestTimes.push(performance.now() - t0);
  if (d.empty) throw new Error("the digest saw no statements");
}
const t0 = performance.now();
const x = await workbookBuffer(db.prisma, { scope: { all: true }, period: {}, lang: "en", timeZone: "Asia/Phnom_Penh" });
const exportMs = performance.now() - t0;
if (x.statements !== Number(expected)) throw new Error(`exported ${x.statements} statements, expected ${expected}`);
await db.close();
digestTimes.sort((a, b) => a - b);
console.log(JSON.stringify({ digestMs: digestTimes[1], exportMs, xlsxMb: x.buffer.length / 1e6, rssMb: process.resourceUsage().maxRSS / 1024 }));
