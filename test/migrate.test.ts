import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readMigrations } from "../src/platform/db/migrate.js";
import { openDatabase } from "../src/platform/db/client.js";
import { extract } from "tar";
import { isNewDataDir, TEMPLATE_FILE, unpackTemplate } from "../src/platform/db/template.js";
import { testDatabase, type TestDatabase } from "./support/db.js";

describe("migrations", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await testDatabase({ migrate: false });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it("apply the committed SQL once; a second run applies nothing", async () => {
    const names = readMigrations().map((m) => m.name);
    expect(names[0]).toBe("0001_init");
    expect(await db.migrate()).toEqual(names);
    expect(await db.migrate()).toEqual([]);
    const rows = await db.prisma.$queryRawUnsafe<Array<{ name: string }>>(`SELECT name FROM "_app_migrations" ORDER BY name`);
    expect(rows.map((r) => r.name)).toEqual(names);
    // The schema is usable through Prisma.
    expect(await db.prisma.organisation.count()).toBe(0);
  });

  it("refuse a migration that was edited after it was applied", async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? { ...m, checksum: "different" } : m));
    await expect(db.migrate(edited)).rejects.toThrow("Migration 0001_init was changed after it was applied");
  });

  it("keep the outcome event log append-only", async () => {
    const org = await db.prisma.organisation.create({ data: { name: "Append Only" } });
    const user = await db.prisma.user.create({ data: { telegramId: 1n, displayName: "A" } });
    const o = await db.prisma.outcome.create({ data: { organisationId: org.id, authorId: user.id, language: "en" } });
    const e = await db.prisma.outcomeEvent.create({ data: { outcomeId: o.id, actorId: user.id, type: "created" } });
    await expect(db.prisma.outcomeEvent.update({ where: { id: e.id }, data: { type: "forged" } })).rejects.toThrow(/append-only/);
    await expect(db.prisma.outcomeEvent.delete({ where: { id: e.id } })).rejects.toThrow(/append-only/);
  });
});

describe("a new embedded database", () => {
  it("starts from the build's template (no initdb in the bot), then migrates as any directory", async () => {
    // npm run build makes the template (CI installs with it); a checkout without it initialises as before.
    if (process.env.CI) expect(existsSync(TEMPLATE_FILE)).toBe(true);
    if (!existsSync(TEMPLATE_FILE)) return;
    const dir = mkdtempSync(join(tmpdir(), "oh-template-"));
    try {
      expect(isNewDataDir(dir)).toBe(true);
      const db = await openDatabase({ dataDir: dir });
      try {
        expect(isNewDataDir(dir)).toBe(false);
        expect(unpackTemplate(dir)).toBe(false); // initialised now: never overwritten
        // The template was migrated at build time: nothing is left to apply.
        expect(await db.migrate()).toEqual([]);
        expect((await db.sql.query<{ n: number }>(`SELECT count(*)::int AS "n" FROM "_app_migrations"`))[0]?.n).toBe(readMigrations().length);
        expect(await db.prisma.organisation.count()).toBe(0);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a directory left half-unpacked (stopped before PG_VERSION) is taken for new and unpacked again", async () => {
    if (!existsSync(TEMPLATE_FILE)) return;
    const dir = mkdtempSync(join(tmpdir(), "oh-template-"));
    try {
      extract({ file: TEMPLATE_FILE, cwd: dir, sync: true, filter: (path) => path.startsWith("/base") });
      expect(isNewDataDir(dir)).toBe(true);
      const db = await openDatabase({ dataDir: dir });
      try {
        expect(await db.migrate()).toEqual([]);
        expect(await db.prisma.organisation.count()).toBe(0);
      } finally {
        await db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
