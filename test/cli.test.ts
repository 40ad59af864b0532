import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/platform/db/client.js";
import { readMigrations } from "../src/platform/db/migrate.js";
import { hashInviteCode } from "../src/onboarding/service.js";
import { testDatabase, type TestDatabase } from "./support/db.js";

describe("command line set-up", () => {
  let db: TestDatabase | undefined;
  let dataDir: string | undefined;
  beforeAll(async () => {
    if (process.env.TEST_POSTGRES_URL) db = await testDatabase({ migrate: false });
    else dataDir = mkdtempSync(join(tmpdir(), "oh-cli-"));
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const cli = (...args: string[]) => {
    const env: Record<string, string> = { PATH: process.env.PATH! };
    if (db?.url) env.DATABASE_URL = db.url;
    else env.DATA_DIR = dataDir!;
    return spawnSync(process.execPath, ["dist/cli/main.js", ...args], { env, encoding: "utf8", timeout: 60_000 });
  };

  it("migrates, creates an organisation and an invite whose code the bot accepts", async () => {
    let r = cli("migrate");
    expect(r.stdout.trim()).toBe(
      `applied: ${readMigrations()
        .map((m) => m.name)
        .join(", ")}`,
    );
    r = cli("migrate");
    expect(r.stdout.trim()).toBe("database is up to date; nothing applied");

    r = cli("org", "create", "Tuk-tuk", "Drivers", "Union");
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^created organisation 1: Tuk-tuk Drivers Union/);
    r = cli("org", "create", "Tuk-tuk Drivers Union");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('organisation "Tuk-tuk Drivers Union" already exists');

    r = cli("invite", "create", "--org", "Tuk-tuk Drivers Union", "--role", "leader", "--uses", "3", "--days", "10", "--bot", "@harvest_bot");
    expect(r.status, r.stderr).toBe(0);
    const code = /https:\/\/t\.me\/harvest_bot\?start=([\w-]{22})$/m.exec(r.stdout)?.[1];
    expect(code, r.stdout).toBeDefined();

    r = cli("invite", "create", "--org", "1", "--role", "boss");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("--role must be leader, coordinator or substantiator");

    r = cli("org", "list");
    expect(r.stdout.trim()).toBe("1\tTuk-tuk Drivers Union\t0 member(s)");

    const check = db ?? (await openDatabase({ dataDir }));
    try {
      const invite = await check.prisma.invite.findUniqueOrThrow({ where: { codeHash: hashInviteCode(code!) } });
      expect(invite).toMatchObject({ role: "leader", maxUses: 3, uses: 0 });
      expect(Math.round((invite.expiresAt.getTime() - invite.createdAt.getTime()) / 86_400_000)).toBe(10);
      // Only the hash is stored.
      const rows = await check.prisma.$queryRawUnsafe<unknown[]>(`SELECT * FROM invites WHERE code_hash = $1 OR code_hash = $2`, code, hashInviteCode(code!));
      expect(JSON.stringify(rows)).not.toContain(code);
    } finally {
      if (!db) await check.close();
    }
  }, 120_000);

  it("refuses an embedded database directory another process holds, naming that process; takes it once released", async (ctx) => {
    if (db) return ctx.skip(); // PostgreSQL serves several processes
    const bot = await openDatabase({ dataDir }); // as a running bot holds it
    try {
      const r = cli("invite", "create", "--org", "1", "--role", "leader");
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(`is in use by process ${process.pid}`);
      expect(r.stdout).toBe(""); // no invite link printed that would not exist
      await expect(openDatabase({ dataDir })).rejects.toThrow(`is in use by process ${process.pid}`);
      expect(await bot.prisma.invite.count()).toBe(1);
    } finally {
      await bot.close();
    }
    let r = cli("org", "list");
    expect(r.status, r.stderr).toBe(0);
    // A lock file left empty by a process killed between creating and writing it is taken over.
    const lock = `${resolve(dataDir!)}.lock`;
    writeFileSync(lock, "");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    r = cli("org", "list");
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it("lists members, changes a role, deactivates, makes a programme-wide invite, and changes the dimensions", async () => {
    const setup = db ?? (await openDatabase({ dataDir }));
    try {
      const user = await setup.prisma.user.create({ data: { telegramId: 777n, displayName: "Sokha" } });
      await setup.prisma.membership.create({ data: { userId: user.id, organisationId: 1, role: "leader" } });
    } finally {
      if (!db) await setup.close();
    }
    let r = cli("member", "role", "--org", "1", "--user", "777", "--role", "coordinator");
    expect(r.stdout.trim(), r.stderr).toBe("Sokha in Tuk-tuk Drivers Union: role coordinator");
    r = cli("member", "deactivate", "--org", "Tuk-tuk Drivers Union", "--user", "777");
    expect(r.stdout.trim(), r.stderr).toBe("Sokha in Tuk-tuk Drivers Union: deactivated");
    r = cli("members", "list", "--org", "1");
    expect(r.stdout.trim()).toBe("Tuk-tuk Drivers Union\t777\tSokha\tcoordinator\tdeactivated");
    r = cli("member", "role", "--org", "1", "--user", "778", "--role", "leader");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("user 778 is not a member of Tuk-tuk Drivers Union");

    r = cli("invite", "create", "--org", "1", "--role", "coordinator", "--programme");
    expect(r.stdout, r.stderr).toContain("as coordinator of the whole programme");

    r = cli("dimension", "add-option", "change_type", "--en", "Housing", "--km", "លំនៅដ្ឋាន");
    expect(r.stdout.trim(), r.stderr).toBe("added option housing to change_type");
    r = cli("dimension", "disable", "framework", "OCD");
    expect(r.stdout.trim(), r.stderr).toBe("framework/OCD disabled");
    r = cli("dimension", "list");
    expect(r.stdout).toContain('  housing: {"en":"Housing","km":"លំនៅដ្ឋាន"}');
    expect(r.stdout).toContain("  OCD [off]:");
    r = cli("dimension", "add-option", "nope", "--en", "X");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('no dimension "nope"');

    // Harvest rounds, in the programme's time zone (Phnom Penh: UTC+7).
    r = cli("round", "create", "Q1", "2027", "--start", "2027-01-01", "--end", "2027-03-31");
    expect(r.stdout.trim(), r.stderr).toBe("created round 1: Q1 2027, 2027-01-01 to 2027-03-31");
    r = cli("round", "list");
    expect(r.stdout.trim()).toBe("1\tQ1 2027\t2026-12-31T17:00:00.000Z\t2027-03-31T17:00:00.000Z\tall");
    r = cli("round", "create", "Bad", "--start", "2027-03-01", "--end", "2027-01-01");
    expect(r.stderr).toContain("--end must not be before --start");

    // Exports to a file, in either format.
    const out = join(mkdtempSync(join(tmpdir(), "oh-export-")), "outcomes.xlsx");
    r = cli("export", "--out", out, "--lang", "km");
    expect(r.stdout.trim(), r.stderr).toBe(`wrote 0 statement(s) to ${out}`);
    expect(readFileSync(out).subarray(0, 2).toString()).toBe("PK"); // a zip: the XLSX container
    r = cli("export", "--out", out.replace(/xlsx$/, "csv"), "--org", "1", "--period", "2024");
    expect(r.stdout.trim(), r.stderr).toContain("wrote 0 statement(s)");
    expect(readFileSync(out.replace(/xlsx$/, "csv"), "utf8")).toMatch(/^\uFEFFNo\.,Organisation/);
    r = cli("export", "--out", "x.pdf");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("export needs --out");
  }, 180_000);
});
