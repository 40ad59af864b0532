import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../src/platform/db/client.js";
import { runCommandLine } from "../src/cli/commands.js";
import { readMigrations } from "../src/platform/db/migrate.js";
import { TEMPLATE_FILE } from "../src/platform/db/template.js";
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

  /** The command line as its own process (dist/cli/main.js), as an operator runs it. */
  const cliProcess = (...args: string[]) => {
    const env: Record<string, string> = { PATH: process.env.PATH! };
    if (db?.url) env.DATABASE_URL = db.url;
    else env.DATA_DIR = dataDir!;
    return spawnSync(process.execPath, ["dist/cli/main.js", ...args], { env, encoding: "utf8", timeout: 60_000 });
  };
  /**
   * The same commands in this process, on one open database (`open`): what a command prints and
   * how it ends are the process's (runCommandLine is what dist/cli/main.js runs), without
   * starting Node and the database for each.
   */
  let open: Database | undefined;
  const cli = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const status = await runCommandLine(open ?? db!, args, { print: (l) => out.push(l), error: (l) => err.push(l), env: { TZ: "Asia/Phnom_Penh" } });
    return { status, stdout: out.map((l) => `${l}\n`).join(""), stderr: err.map((l) => `${l}\n`).join("") };
  };
  /** The embedded database in the directory the processes use, open in this process for a while. */
  const withDirectory = async (work: () => Promise<void>) => {
    if (db) return work();
    open = await openDatabase({ dataDir });
    try {
      await work();
    } finally {
      await open.close();
      open = undefined;
    }
  };

  it("migrates, creates an organisation and an invite whose code the bot accepts", async () => {
    // The process itself, once: it starts, migrates and says so.
    let r: { status: number | null; stdout: string; stderr: string } = cliProcess("migrate");
    // A new embedded directory starts from the build's template, migrated already (db/template.ts).
    const fromTemplate = !db && existsSync(TEMPLATE_FILE);
    expect(r.stdout.trim()).toBe(
      fromTemplate
        ? "database is up to date; nothing applied"
        : `applied: ${readMigrations()
            .map((m) => m.name)
            .join(", ")}`,
    );
    expect(r.status, r.stderr).toBe(0);
    r = cliProcess("migrate");
    expect(r.stdout.trim()).toBe("database is up to date; nothing applied");

    await withDirectory(async () => {
      r = await cli("org", "create", "Tuk-tuk", "Drivers", "Union");
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^created organisation 1: Tuk-tuk Drivers Union/);
      r = await cli("org", "create", "Tuk-tuk Drivers Union");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('organisation "Tuk-tuk Drivers Union" already exists');

      r = await cli("invite", "create", "--org", "Tuk-tuk Drivers Union", "--role", "leader", "--uses", "3", "--days", "10", "--bot", "@harvest_bot");
      expect(r.status, r.stderr).toBe(0);
      const code = /https:\/\/t\.me\/harvest_bot\?start=([\w-]{22})$/m.exec(r.stdout)?.[1];
      expect(code, r.stdout).toBeDefined();

      r = await cli("invite", "create", "--org", "1", "--role", "boss");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("--role must be leader, coordinator or substantiator");

      r = await cli("org", "list");
      expect(r.stdout.trim()).toBe("1\tTuk-tuk Drivers Union\t0 member(s)");

      const check = open ?? db!;
      {
        const invite = await check.prisma.invite.findUniqueOrThrow({ where: { codeHash: hashInviteCode(code!) } });
        expect(invite).toMatchObject({ role: "leader", maxUses: 3, uses: 0 });
        expect(Math.round((invite.expiresAt.getTime() - invite.createdAt.getTime()) / 86_400_000)).toBe(10);
        // Only the hash is stored.
        const rows = await check.prisma.$queryRawUnsafe<unknown[]>(`SELECT * FROM invites WHERE code_hash = $1 OR code_hash = $2`, code, hashInviteCode(code!));
        expect(JSON.stringify(rows)).not.toContain(code);
      }
    });
  }, 120_000);

  it("refuses an embedded database directory another process holds, naming that process; takes it once released", async (ctx) => {
    if (db) return ctx.skip(); // PostgreSQL serves several processes
    const bot = await openDatabase({ dataDir }); // as a running bot holds it
    try {
      const r = cliProcess("invite", "create", "--org", "1", "--role", "leader");
      expect(r.status).toBe(1);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain(`is in use by process ${process.pid}`);
      expect(r.stdout).toBe(""); // no invite link printed that would not exist
      await expect(openDatabase({ dataDir })).rejects.toThrow(`is in use by process ${process.pid}`);
      expect(await bot.prisma.invite.count()).toBe(1);
    } finally {
      await bot.close();
    }
    let r = cliProcess("org", "list");
    expect(r.status, r.stderr).toBe(0);
    // A lock file left empty by a process killed between creating and writing it is taken over.
    const lock = `${resolve(dataDir!)}.lock`;
    writeFileSync(lock, "");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lock, old, old);
    r = cliProcess("org", "list");
    expect(r.status, r.stderr).toBe(0);
  }, 120_000);

  it("lists members, changes a role, deactivates, makes a programme-wide invite, and changes the dimensions", async () => {
    await withDirectory(async () => {
      const setup = open ?? db!;
      const user = await setup.prisma.user.create({ data: { telegramId: 777n, displayName: "Sokha" } });
      await setup.prisma.membership.create({ data: { userId: user.id, organisationId: 1, role: "leader" } });
      let r = await cli("member", "role", "--org", "1", "--user", "777", "--role", "coordinator");
      expect(r.stdout.trim(), r.stderr).toBe("Sokha in Tuk-tuk Drivers Union: role coordinator");
      r = await cli("member", "deactivate", "--org", "Tuk-tuk Drivers Union", "--user", "777");
      expect(r.stdout.trim(), r.stderr).toBe("Sokha in Tuk-tuk Drivers Union: deactivated");
      r = await cli("members", "list", "--org", "1");
      expect(r.stdout.trim()).toBe("Tuk-tuk Drivers Union\t777\tSokha\tcoordinator\tdeactivated");
      r = await cli("member", "role", "--org", "1", "--user", "778", "--role", "leader");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("user 778 is not a member of Tuk-tuk Drivers Union");

      r = await cli("invite", "create", "--org", "1", "--role", "coordinator", "--programme");
      expect(r.stdout, r.stderr).toContain("as coordinator of the whole programme");

      r = await cli("dimension", "add-option", "change_type", "--en", "Housing", "--km", "លំនៅដ្ឋាន");
      expect(r.stdout.trim(), r.stderr).toBe("added option housing to change_type");
      r = await cli("dimension", "disable", "framework", "OCD");
      expect(r.stdout.trim(), r.stderr).toBe("framework/OCD disabled");
      r = await cli("dimension", "list");
      expect(r.stdout).toContain('  housing: {"en":"Housing","km":"លំនៅដ្ឋាន"}');
      expect(r.stdout).toContain("  OCD [off]:");
      r = await cli("dimension", "multiple", "change_type");
      expect(r.stdout.trim(), r.stderr).toBe("change_type: several options may apply");
      r = await cli("dimension", "single", "change_type");
      expect(r.stdout.trim(), r.stderr).toBe("change_type: one option per statement");
      r = await cli("dimension", "single", "change_type");
      expect(r.stdout.trim(), r.stderr).toBe("change_type was already single");
      r = await cli("dimension", "list");
      expect(r.stdout).toContain("social_actor (several):");
      expect(r.stdout).not.toContain("change_type (several)");
      r = await cli("dimension", "add-option", "nope", "--en", "X");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('no dimension "nope"');

      // Harvest rounds, in the programme's time zone (Phnom Penh: UTC+7).
      r = await cli("round", "create", "Q1", "2027", "--start", "2027-01-01", "--end", "2027-03-31");
      expect(r.stdout.trim(), r.stderr).toBe("created round 1: Q1 2027, 2027-01-01 to 2027-03-31");
      r = await cli("round", "list");
      expect(r.stdout.trim()).toBe("1\tQ1 2027\t2026-12-31T17:00:00.000Z\t2027-03-31T17:00:00.000Z\tall");
      r = await cli("round", "create", "Bad", "--start", "2027-03-01", "--end", "2027-01-01");
      expect(r.stderr).toContain("--end must not be before --start");

      // Exports to a file, in either format.
      const out = join(mkdtempSync(join(tmpdir(), "oh-export-")), "outcomes.xlsx");
      r = await cli("export", "--out", out, "--lang", "km");
      expect(r.stdout.trim(), r.stderr).toBe(`wrote 0 statement(s) to ${out}`);
      expect(readFileSync(out).subarray(0, 2).toString()).toBe("PK"); // a zip: the XLSX container
      r = await cli("export", "--out", out.replace(/xlsx$/, "csv"), "--org", "1", "--period", "2024");
      expect(r.stdout.trim(), r.stderr).toContain("wrote 0 statement(s)");
      expect(readFileSync(out.replace(/xlsx$/, "csv"), "utf8")).toMatch(/^\uFEFFNo\.,Organisation/);
      r = await cli("export", "--out", "x.pdf");
      expect(r.status).toBe(1);
      expect(r.stderr).toContain("export needs --out");

      // A read-only key to the console's API: shown once, listed without it, revoked.
      r = await cli("api-key", "create", "Power", "BI");
      const key = r.stdout.split("\n")[1]!;
      expect(key).toMatch(/^ohk_[\w-]{20,}$/);
      expect((await (open ?? db!).prisma.apiToken.findFirstOrThrow()).tokenHash).not.toContain(key.slice(4));
      r = await cli("api-key", "list");
      expect(r.stdout).toMatch(/^1\tPower BI\tcreated .*\tlast used never$/m);
      expect(r.stdout).not.toContain(key);
      r = await cli("api-key", "revoke", "1");
      expect(r.stdout.trim()).toBe("revoked API key 1");
      r = await cli("api-key", "revoke", "1");
      expect(r.stderr).toContain("no API key 1 that is still valid");
      expect((await cli("api-key", "create")).stderr).toContain("needs a name");
    });
  }, 180_000);
});
