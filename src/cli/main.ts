/**
 * Set-up without Telegram:
 *   npm run cli -- migrate
 *   npm run cli -- org create "<name>"
 *   npm run cli -- org list
 *   npm run cli -- invite create --org <id|name> --role leader|coordinator|substantiator [--programme] [--uses 20] [--days 30] [--bot <username>]
 *   npm run cli -- members list [--org <id|name>]
 *   npm run cli -- member role --org <id|name> --user <telegram id> --role leader|coordinator|substantiator
 *   npm run cli -- member deactivate|reactivate --org <id|name> --user <telegram id>
 *   npm run cli -- dimension list
 *   npm run cli -- dimension add <key> --en "<label>" [--km "<label>"] [--multiple]
 *   npm run cli -- dimension add-option <dimension> [<key>] --en "<label>" [--km "<label>"]
 *   npm run cli -- dimension label <dimension> [<option>] [--en "<label>"] [--km "<label>"]
 *   npm run cli -- dimension disable|enable <dimension> <option>
 *   npm run cli -- round create "<name>" --start 2026-01-01 --end 2026-03-31 [--org <id|name> ...]
 *   npm run cli -- round list
 *   npm run cli -- round create "<name>" --start 2026-01-01 --end 2026-03-31 [--org <id|name> ...]
  npm run cli -- round list
  npm run cli -- export --out <file.xlsx|file.csv> [--org <id|name>] [--period 2024|2024-01..2024-06] [--lang en|km]
 * Uses DATABASE_URL / DATA_DIR like the bot. BOT_TOKEN is only needed to look up the bot's username.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { openDatabase, type Database } from "../platform/db/client.js";
import { DirectoryInUseError } from "../platform/db/lock.js";
import { writeFileSync } from "node:fs";
import { statementsCsv, workbookBuffer } from "../reporting/workbook.js";
import type { Role } from "../generated/prisma/client.js";
import { isLang } from "../platform/i18n/index.js";
import { parsePeriod } from "../reporting/stats.js";
import { createInvite } from "../onboarding/service.js";
import { inviteLink } from "../onboarding/service.js";
import { changeMembership, ROLES } from "../onboarding/service.js";
import { addDimension, addOption, DimensionError, findDimension, findOption, loadDimensions, relabel, setOptionActive } from "../classification/service.js";

const USAGE = `usage:
  npm run cli -- migrate
  npm run cli -- org create "<name>"
  npm run cli -- org list
  npm run cli -- invite create --org <id|name> --role leader|coordinator|substantiator [--programme] [--uses 20] [--days 30] [--bot <username>]
  npm run cli -- members list [--org <id|name>]
  npm run cli -- member role --org <id|name> --user <telegram id> --role leader|coordinator|substantiator
  npm run cli -- member deactivate|reactivate --org <id|name> --user <telegram id>
  npm run cli -- dimension list
  npm run cli -- dimension add <key> --en "<label>" [--km "<label>"] [--multiple]
  npm run cli -- dimension add-option <dimension> [<key>] --en "<label>" [--km "<label>"]
  npm run cli -- dimension label <dimension> [<option>] [--en "<label>"] [--km "<label>"]
  npm run cli -- dimension disable|enable <dimension> <option>
  npm run cli -- round create "<name>" --start 2026-01-01 --end 2026-03-31 [--org <id|name> ...]
  npm run cli -- round list
  npm run cli -- export --out <file.xlsx|file.csv> [--org <id|name>] [--period 2024|2024-01..2024-06] [--lang en|km]`;

class UsageError extends Error {}

async function findOrg(prisma: Database["prisma"], ref: string | undefined) {
  if (!ref) throw new UsageError("--org is required");
  const org = /^\d+$/.test(ref)
    ? await prisma.organisation.findUnique({ where: { id: Number(ref) } })
    : await prisma.organisation.findUnique({ where: { name: ref } });
  if (!org) throw new UsageError(`no organisation "${ref}" (see: npm run cli -- org list)`);
  return org;
}

const labelsOf = (v: { en?: string; km?: string }) =>
  Object.fromEntries(
    Object.entries({ en: v.en, km: v.km })
      .filter(([, x]) => x?.trim())
      .map(([k, x]) => [k, x!.trim()]),
  );

async function botUsername(explicit?: string): Promise<string | undefined> {
  if (explicit) return explicit.replace(/^@/, "");
  if (process.env.BOT_USERNAME) return process.env.BOT_USERNAME.replace(/^@/, "");
  const token = process.env.BOT_TOKEN;
  if (!token) return undefined;
  const root = (process.env.TELEGRAM_API_ROOT || "https://api.telegram.org").replace(/\/+$/, "");
  try {
    const res = await fetch(`${root}/bot${token}/getMe`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { ok: boolean; result?: { username?: string } };
    return body.result?.username;
  } catch {
    return undefined;
  }
}

async function run(db: Database, argv: string[]): Promise<void> {
  const [group, action, ...rest] = argv;
  const { prisma } = db;
  if (group === "migrate") {
    const applied = await db.migrate();
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date; nothing applied");
    return;
  }
  await db.migrate();
  if (group === "org" && action === "create") {
    const name = rest.join(" ").trim().replace(/\s+/g, " ");
    if (!name) throw new UsageError("org create needs a name");
    const existing = await prisma.organisation.findUnique({ where: { name } });
    if (existing) throw new UsageError(`organisation "${name}" already exists (id ${existing.id})`);
    const org = await prisma.organisation.create({ data: { name } });
    console.log(`created organisation ${org.id}: ${org.name}`);
    return;
  }
  if (group === "org" && action === "list") {
    const orgs = await prisma.organisation.findMany({ orderBy: { id: "asc" }, include: { _count: { select: { memberships: true } } } });
    if (orgs.length === 0) console.log("no organisations yet");
    for (const o of orgs) console.log(`${o.id}\t${o.name}\t${o._count.memberships} member(s)`);
    return;
  }
  if (group === "invite" && action === "create") {
    const { values } = parseArgs({
      args: rest,
      options: {
        org: { type: "string" },
        role: { type: "string" },
        programme: { type: "boolean", default: false },
        uses: { type: "string", default: "20" },
        days: { type: "string", default: "30" },
        bot: { type: "string" },
      },
    });
    const opts = z
      .object({
        org: z.string({ required_error: "--org is required" }),
        role: z.enum(["leader", "coordinator", "substantiator"], { errorMap: () => ({ message: "--role must be leader, coordinator or substantiator" }) }),
        uses: z.coerce.number().int().min(1).max(10_000),
        days: z.coerce.number().int().min(1).max(365),
      })
      .safeParse(values);
    if (!opts.success) throw new UsageError(opts.error.issues[0]!.message);
    const { org: orgRef, role, uses, days } = opts.data;
    if (values.programme && role !== "coordinator") throw new UsageError("--programme is only for coordinators");
    const org = await findOrg(prisma, orgRef);
    const { invite, code } = await createInvite(prisma, { organisationId: org.id, role, maxUses: uses, days, programmeWide: values.programme });
    const username = await botUsername(values.bot);
    console.log(
      `invite for ${org.name} as ${role}${values.programme ? " of the whole programme" : ""}: ${uses} use(s), expires ${invite.expiresAt.toISOString()}`,
    );
    console.log(username ? inviteLink(username, code) : `code: ${code}\n(send "/start ${code}" to the bot, or pass --bot <username> for a link)`);
    return;
  }
  if (group === "members" && action === "list") {
    const { values } = parseArgs({ args: rest, options: { org: { type: "string" } } });
    const org = values.org ? await findOrg(prisma, values.org) : undefined;
    const ms = await prisma.membership.findMany({
      where: org ? { organisationId: org.id } : {},
      include: { user: true, organisation: true },
      orderBy: [{ organisationId: "asc" }, { createdAt: "asc" }],
    });
    if (ms.length === 0) console.log("no members");
    for (const m of ms) {
      const wide = m.programmeWide && m.role === "coordinator" ? " (whole programme)" : "";
      console.log(`${m.organisation.name}\t${m.user.telegramId}\t${m.user.displayName}\t${m.role}${wide}\t${m.active ? "active" : "deactivated"}`);
    }
    return;
  }
  if (group === "member" && (action === "role" || action === "deactivate" || action === "reactivate")) {
    const { values } = parseArgs({ args: rest, options: { org: { type: "string" }, user: { type: "string" }, role: { type: "string" } } });
    const org = await findOrg(prisma, values.org);
    if (!values.user || !/^\d+$/.test(values.user)) throw new UsageError("--user <telegram id> is required");
    const user = await prisma.user.findUnique({ where: { telegramId: BigInt(values.user) } });
    const m = user && (await prisma.membership.findUnique({ where: { userId_organisationId: { userId: user.id, organisationId: org.id } } }));
    if (!m) throw new UsageError(`user ${values.user} is not a member of ${org.name}`);
    if (action === "role" && !ROLES.includes(values.role as Role)) throw new UsageError("--role must be leader, coordinator or substantiator");
    const change = action === "role" ? { role: values.role as Role } : { active: action === "reactivate" };
    const done = await changeMembership(prisma, m.id, change);
    console.log(
      done.status === "changed" ? `${user!.displayName} in ${org.name}: ${action === "role" ? `role ${values.role}` : `${action}d`}` : "nothing to change",
    );
    return;
  }
  if (group === "round" && action === "create") {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { start: { type: "string" }, end: { type: "string" }, org: { type: "string", multiple: true } },
    });
    const name = positionals.join(" ").trim();
    const day = (v: string | undefined, what: string) => {
      if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw new UsageError(`--${what} must be a date like 2026-01-01`);
      return v;
    };
    if (!name) throw new UsageError("round create needs a name");
    const tz = process.env.TZ || "Asia/Phnom_Penh";
    const startDay = day(values.start, "start");
    const endDay = day(values.end, "end");
    if (endDay < startDay) throw new UsageError("--end must not be before --start");
    const { zoned } = await import("../reporting/schedule.js");
    const [sy, sm, sd] = startDay.split("-").map(Number) as [number, number, number];
    const [ey, em, ed] = endDay.split("-").map(Number) as [number, number, number];
    const orgs = [];
    for (const ref of values.org ?? []) orgs.push((await findOrg(prisma, ref)).id);
    // From the start day's midnight to the end of the end day, in the programme's time zone.
    const round = await prisma.harvestRound.create({
      data: { name, startsAt: zoned(sy, sm, sd, 0, tz), endsAt: new Date(zoned(ey, em, ed, 0, tz).getTime() + 86_400_000), organisationIds: orgs },
    });
    console.log(`created round ${round.id}: ${round.name}, ${startDay} to ${endDay}${orgs.length ? ` for ${orgs.length} organisation(s)` : ""}`);
    return;
  }
  if (group === "round" && action === "list") {
    const rounds = await prisma.harvestRound.findMany({ orderBy: { startsAt: "asc" } });
    if (rounds.length === 0) console.log("no rounds");
    for (const r of rounds) console.log(`${r.id}\t${r.name}\t${r.startsAt.toISOString()}\t${r.endsAt.toISOString()}\t${r.organisationIds.join(",") || "all"}`);
    return;
  }
  if (group === "export") {
    const { values } = parseArgs({
      args: [action, ...rest].filter((x): x is string => x !== undefined),
      options: { out: { type: "string" }, org: { type: "string" }, period: { type: "string", default: "all" }, lang: { type: "string", default: "en" } },
    });
    if (!values.out || !/\.(xlsx|csv)$/i.test(values.out)) throw new UsageError("export needs --out <file.xlsx> or --out <file.csv>");
    const period = parsePeriod(values.period!);
    if (!period) throw new UsageError("--period must be all, a year (2024), a month (2024-03) or a range (2024-01..2024-06)");
    if (!isLang(values.lang)) throw new UsageError("--lang must be en or km");
    const org = values.org ? await findOrg(prisma, values.org) : undefined;
    const q = { scope: { all: true as const }, organisationId: org?.id, period, lang: values.lang, timeZone: process.env.TZ || "Asia/Phnom_Penh" };
    const { buffer, statements } = values.out.toLowerCase().endsWith(".csv") ? await statementsCsv(prisma, q) : await workbookBuffer(prisma, q);
    writeFileSync(values.out, buffer);
    console.log(`wrote ${statements} statement(s) to ${values.out}`);
    return;
  }
  if (group === "dimension") {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { en: { type: "string" }, km: { type: "string" }, multiple: { type: "boolean", default: false } },
    });
    const labels = labelsOf(values);
    try {
      if (action === "list") {
        for (const d of await loadDimensions(prisma, { includeInactive: true })) {
          console.log(`${d.key}${d.multiple ? " (several)" : ""}${d.active ? "" : " [off]"}: ${JSON.stringify(d.labels)}`);
          for (const o of d.options) console.log(`  ${o.key}${o.active ? "" : " [off]"}: ${JSON.stringify(o.labels)}`);
        }
        return;
      }
      if (action === "add") {
        if (!positionals[0] || !labels.en) throw new UsageError("dimension add needs a key and --en");
        const d = await addDimension(prisma, { key: positionals[0], labels, multiple: values.multiple });
        console.log(`added dimension ${d.key}`);
        return;
      }
      if (action === "add-option") {
        if (!positionals[0] || !labels.en) throw new UsageError("dimension add-option needs a dimension and --en");
        const o = await addOption(prisma, { dimension: positionals[0], key: positionals[1], labels });
        console.log(`added option ${o.key} to ${positionals[0]}`);
        return;
      }
      if (action === "label") {
        if (!positionals[0] || Object.keys(labels).length === 0) throw new UsageError("dimension label needs a dimension and --en or --km");
        if (positionals[1]) await relabel(prisma, { kind: "option", id: (await findOption(prisma, positionals[0], positionals[1])).id }, labels);
        else await relabel(prisma, { kind: "dimension", id: (await findDimension(prisma, positionals[0])).id }, labels);
        console.log("labels changed");
        return;
      }
      if (action === "disable" || action === "enable") {
        if (!positionals[0] || !positionals[1]) throw new UsageError(`dimension ${action} needs a dimension and an option`);
        const o = await findOption(prisma, positionals[0], positionals[1]);
        await setOptionActive(prisma, o.id, action === "enable");
        console.log(`${positionals[0]}/${positionals[1]} ${action}d`);
        return;
      }
    } catch (e) {
      if (e instanceof DimensionError) throw new UsageError(e.message);
      throw e;
    }
  }
  throw new UsageError(`unknown command: ${argv.join(" ")}`);
}

const url = process.env.DATABASE_URL?.trim() || undefined;
if (url && !/^postgres(ql)?:\/\//.test(url)) {
  console.error("Configuration error: DATABASE_URL must be a postgres:// URL (leave it unset for the embedded database)");
  process.exit(1);
}
let db: Database;
try {
  db = await openDatabase({ databaseUrl: url, dataDir: process.env.DATA_DIR?.trim() || "./data/pglite" });
} catch (e) {
  if (!(e instanceof DirectoryInUseError)) throw e;
  console.error(e.message); // the bot runs on this directory: stop it first, or use PostgreSQL
  process.exit(1);
}
try {
  await run(db, process.argv.slice(2));
} catch (e) {
  console.error(e instanceof UsageError ? `${e.message}\n${USAGE}` : (e as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
