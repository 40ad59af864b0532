/**
 * The console over an already seeded database (10,000 statements), in a process of its own: the
 * statements API's first page, unfiltered and with filters (median of 5 after one warm-up), one
 * statement, and the page's time to first render in headless Chromium (from navigation to the
 * table's first row drawn), when Chromium is installed.
 * Usage: node --import tsx bench/console.ts <postgres-url | pglite-data-dir>
 */
import { existsSync } from "node:fs";
import { consoleServer } from "../src/app/console.js";
import { openDatabase } from "../src/platform/db/client.js";
import { createLogger } from "../src/platform/logger.js";
import { signInitData } from "../src/platform/telegram/webapp.js";

const TOKEN = "123456:BENCH-console-token-abcdefgh";
const COORDINATOR = 900_000_001;
const [target] = process.argv.slice(2);
const db = target!.startsWith("postgres") ? await openDatabase({ databaseUrl: target }) : await openDatabase({ dataDir: target });
const logger = createLogger("silent");
const server = consoleServer({
  prisma: db.prisma,
  config: { botToken: TOKEN, adminTelegramIds: new Set([COORDINATOR]), timeZone: "Asia/Phnom_Penh", consoleSessionHours: 24 },
  download: async () => Buffer.alloc(0),
  logger,
});
const base = `http://127.0.0.1:${await server.listen()}`;
const initData = await signInitData(TOKEN, {
  user: JSON.stringify({ id: COORDINATOR, first_name: "Bench", language_code: "en" }),
  auth_date: String(Math.floor(Date.now() / 1000)),
});

async function timed(path: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { authorization: `tma ${initData}` } });
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    await res.arrayBuffer();
    if (i > 0) times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[2]!;
}

const options = await db.prisma.dimensionOption.findFirstOrThrow({ where: { dimension: { key: "social_actor" } } });
const org = await db.prisma.organisation.findFirstOrThrow();
const firstPageMs = await timed("/api/v1/statements");
const filteredMs = await timed(`/api/v1/statements?status=accepted&org=${org.id}&from=2024-01&to=2024-06&q=commune`);
const optionMs = await timed(`/api/v1/statements?option=${options.id}&sort=date`);
const lastPageMs = await timed("/api/v1/statements?page=99&size=100");
const oneMs = await timed(`/api/v1/statements/${(await db.prisma.outcome.findFirstOrThrow({ orderBy: { id: "desc" } })).id}`);

let renderMs: number | undefined;
const chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
if (chromiumPath) {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox", "--disable-gpu"] });
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const page = await browser.newPage();
    await page.goto(`${base}/console/#tgWebAppData=${encodeURIComponent(initData)}&tgWebAppVersion=8.0`);
    await page.waitForSelector("table.statements tbody tr");
    // From the start of navigation to the table's first row, as the browser measured it.
    if (i > 0) times.push(await page.evaluate(() => performance.now()));
    await page.close();
  }
  await browser.close();
  renderMs = times.sort((a, b) => a - b)[1];
}
await server.close();
await db.close();
console.log(JSON.stringify({ firstPageMs, filteredMs, optionMs, lastPageMs, oneMs, renderMs }));
