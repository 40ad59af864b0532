/**
 * The console in a real browser: Debian's Chromium driven by playwright-core (no browser
 * download), opened as Telegram opens a Mini App (init data in the URL's hash), against the bot's
 * HTTP server, database and fake Bot API. A coordinator filters, opens a statement, asks a
 * question (the leader gets it in chat), classifies with the keyboard and looks at the charts, in
 * English and in Khmer; each page is saved as a screenshot under artifacts/console/, and Khmer
 * text must be shaped by the bundled font (no boxes for missing glyphs).
 */
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useHarness } from "./support/harness.js";
import { type ConsoleClient, initDataFor, startConsole } from "./support/console.js";
import { seedStatement } from "./support/statements.js";
import { acceptedStatement, choose } from "./support/substantiation.js";
import type { FakeUser } from "./support/user.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
export const SCREENSHOTS = join("artifacts", "console");

const h = useHarness({ PUBLIC_URL: "https://console.example" });
const ORG = "Kandal Construction Workers";
const KHMER_DESCRIPTION = "ចាប់ពីខែមីនា ឆ្នាំ២០២៤ ក្រុមហ៊ុនសំណង់បានផ្តល់មួកសុវត្ថិភាពដល់កម្មករទាំងអស់";
const HOSTILE = `<img src=x onerror="window.__xss=1"> the site manager now posts the pay slips`;

let c: ConsoleClient;
let browser: Browser;
let leader: FakeUser;
const ids = { asked: 0, hostile: 0, khmer: 0, accepted: [] as number[] };

// CI installs Chromium (.ci/run); elsewhere the tests say why they did not run.
const run = CHROMIUM || process.env.CI ? describe : describe.skip;

run("the console in Chromium", () => {
  beforeAll(async () => {
    const p = h.db.prisma;
    await h.member(7201, ORG, "en", "coordinator");
    await h.member(7202, ORG, "km", "coordinator");
    leader = await h.member(7203, ORG);
    ids.asked = (
      await seedStatement(p, { authorTelegramId: 7203, org: ORG, description: "The Kandal labour office now inspects building sites every month" })
    ).id;
    ids.hostile = (await seedStatement(p, { authorTelegramId: 7203, org: ORG, description: HOSTILE })).id;
    ids.khmer = (await seedStatement(p, { authorTelegramId: 7203, org: ORG, description: KHMER_DESCRIPTION, language: "km", status: "accepted" })).id;
    for (const [i, key] of ["government", "company", "workers"].entries()) {
      const o = await acceptedStatement(p, {
        authorTelegramId: 7203,
        org: ORG,
        description: `Accepted change ${i} on safety`,
        classes: { social_actor: [key] },
      });
      ids.accepted.push(o.id);
    }
    await choose(p, [ids.accepted[0]!]);
    c = await startConsole(h);
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-gpu"] });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await c?.close();
  });

  /** Opens the console as Telegram does: the page's URL with the signed init data in its hash. */
  async function open(telegramId: number, route = "#/"): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    const data = await initDataFor(h, telegramId);
    await page.goto(`${c.base}/console/#tgWebAppData=${encodeURIComponent(data)}&tgWebAppVersion=8.0&tgWebAppPlatform=tdesktop`);
    await page.waitForSelector("nav, p.error");
    if (route !== "#/") await page.evaluate((r) => (location.hash = r), route);
    (page as Page & { errors: string[] }).errors = errors;
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it("a coordinator filters the table, opens a statement and asks a question the leader gets in chat", async () => {
    const page = await open(7201);
    await page.waitForSelector("table.statements tbody tr");
    expect(await page.locator("table.statements tbody tr").count()).toBe(6);
    await shot(page, "statements-en");
    await page.fill('input[type="search"]', "labour office");
    await page.waitForFunction(() => document.querySelectorAll("table.statements tbody tr").length === 1);
    await page.click("table.statements tbody tr");
    await page.waitForSelector("article.statement h2");
    expect(await page.textContent("article.statement h2")).toContain(`Statement ${ids.asked}`);
    await shot(page, "statement-en");
    await page.fill('textarea[aria-label="❓ Ask the author"]', "Which sites, and who does the inspections?");
    await page.click('form:has(textarea[aria-label="❓ Ask the author"]) button[type="submit"]');
    await page.waitForSelector(".note.ok");
    expect(await page.textContent("h2 .status")).toBe("Needs clarification");
    await leader.expect("Which sites, and who does the inspections?");
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.close();
  });

  it("text people typed is shown as text, never run as HTML", async () => {
    const page = await open(7201, `#/s/${ids.hostile}`);
    await page.waitForSelector("article.statement dd");
    expect(await page.locator("article.statement dd").first().textContent()).toContain('<img src=x onerror="window.__xss=1">');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator("article.statement img").count()).toBe(0);
    await page.close();
  });

  it("classifying with the keyboard: one key per option, the next statement with Enter", async () => {
    const page = await open(7201, "#/classify");
    await page.waitForSelector(".walk article h2");
    const first = Number((await page.textContent(".walk article h2 a"))!.replace(/\D/g, ""));
    const dims = await c.call("GET", "/api/v1/meta", await c.asUser(7201));
    const firstDimension = dims.json.dimensions[0];
    await page.keyboard.press("1");
    await page.waitForSelector(".walk fieldset .opt.on");
    const chosen = await h.db.prisma.classification.findMany({ where: { outcomeId: first, optionId: firstDimension.options[0].id } });
    expect(chosen).toHaveLength(1);
    await shot(page, "classify-en");
    await page.keyboard.press("Enter");
    await page.waitForFunction((id) => !document.querySelector(".walk article h2 a")?.textContent?.includes(String(id)), first);
    await page.close();
  });

  it("the analysis draws a chart per dimension with counts, base and percentage, and the outcome map", async () => {
    const page = await open(7201, "#/analysis");
    await page.waitForSelector('figure.chart[data-key="social_actor"]');
    const text = await page.textContent('figure.chart[data-key="social_actor"]');
    // The numbers the API (and /stats) give, as the page words them.
    const api = (await c.call("GET", "/api/v1/analysis", await c.asUser(7201))).json;
    const bars = api.charts.find((x: { key: string }) => x.key === "social_actor").bars as Array<{ count: number; base: number; percent: number }>;
    expect(bars.filter((b) => b.count > 0).length).toBeGreaterThan(1);
    for (const b of bars) expect(text).toContain(`${b.count} of ${b.base} (${b.percent}%)`);
    expect(await page.locator("table.map tbody tr").count()).toBeGreaterThan(0);
    await shot(page, "analysis-en");
    const sub = await open(7201, "#/substantiation");
    await sub.waitForSelector(".headline");
    await shot(sub, "substantiation-en");
    await Promise.all([page.close(), sub.close()]);
  });

  it("in Khmer: every page in Khmer, with Khmer digits, shaped by the bundled font", async () => {
    const page = await open(7202);
    await page.waitForSelector("table.statements tbody tr");
    expect(await page.textContent("nav")).toContain("របាយការណ៍");
    expect(await page.textContent(".count")).toMatch(/របាយការណ៍ [០-៩]+/);
    // The font is the bundled one, loaded; a stacked consonant (ក + coeng + ម) is narrower than
    // its letters side by side: shaped, not drawn as boxes.
    const shaping = await page.evaluate(async () => {
      await document.fonts.ready;
      const loaded = [...document.fonts].some((f) => f.family.includes("Noto Sans Khmer") && f.status === "loaded");
      const ctx = document.createElement("canvas").getContext("2d")!;
      ctx.font = '32px "Noto Sans Khmer"';
      const width = (s: string) => ctx.measureText(s).width;
      return { loaded, check: document.fonts.check('16px "Noto Sans Khmer"', "ខ្មែរ"), cluster: width("ក្ម"), apart: width("ក") + width("ម") };
    });
    expect(shaping.loaded).toBe(true);
    expect(shaping.check).toBe(true);
    expect(shaping.cluster).toBeLessThan(shaping.apart * 0.8);
    await shot(page, "statements-km");
    await page.evaluate((id) => (location.hash = `#/s/${id}`), ids.khmer);
    await page.waitForSelector("article.statement dd");
    expect(await page.textContent("article.statement")).toContain(KHMER_DESCRIPTION);
    await shot(page, "statement-km");
    for (const route of ["classify", "analysis", "substantiation"]) {
      await page.evaluate((r) => (location.hash = `#/${r}`), route);
      await page.waitForSelector(`main[data-page="${route}"]`);
      await page.waitForLoadState("networkidle");
      await shot(page, `${route}-km`);
    }
    await page.close();
  });

  it("a leader who opens the console's address is told it is for coordinators", async () => {
    const page = await open(7203);
    expect(await page.textContent("p.error")).toContain("for coordinators");
    await page.close();
  });
});
