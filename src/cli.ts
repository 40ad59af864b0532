/**
 * Set-up without Telegram:
 *   npm run cli -- migrate
 *   npm run cli -- org create "<name>"
 *   npm run cli -- org list
 *   npm run cli -- invite create --org <id|name> --role leader|coordinator|substantiator [--uses 20] [--days 30] [--bot <username>]
 * Uses DATABASE_URL / DATA_DIR like the bot. BOT_TOKEN is only needed to look up the bot's username.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { openDatabase, type Database } from "./db/client.js";
import { createInvite } from "./onboarding/invites.js";
import { inviteLink } from "./onboarding/organisations.js";

const USAGE = `usage:
  npm run cli -- migrate
  npm run cli -- org create "<name>"
  npm run cli -- org list
  npm run cli -- invite create --org <id|name> --role leader|coordinator|substantiator [--uses 20] [--days 30] [--bot <username>]`;

class UsageError extends Error {}

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
      options: { org: { type: "string" }, role: { type: "string" }, uses: { type: "string", default: "20" }, days: { type: "string", default: "30" }, bot: { type: "string" } },
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
    const org = /^\d+$/.test(orgRef)
      ? await prisma.organisation.findUnique({ where: { id: Number(orgRef) } })
      : await prisma.organisation.findUnique({ where: { name: orgRef } });
    if (!org) throw new UsageError(`no organisation "${orgRef}" (see: npm run cli -- org list)`);
    const { invite, code } = await createInvite(prisma, { organisationId: org.id, role, maxUses: uses, days });
    const username = await botUsername(values.bot);
    console.log(`invite for ${org.name} as ${role}: ${uses} use(s), expires ${invite.expiresAt.toISOString()}`);
    console.log(username ? inviteLink(username, code) : `code: ${code}\n(send "/start ${code}" to the bot, or pass --bot <username> for a link)`);
    return;
  }
  throw new UsageError(`unknown command: ${argv.join(" ")}`);
}

const url = process.env.DATABASE_URL?.trim() || undefined;
if (url && !/^postgres(ql)?:\/\//.test(url)) {
  console.error("Configuration error: DATABASE_URL must be a postgres:// URL (leave it unset for the embedded database)");
  process.exit(1);
}
const db = await openDatabase({ databaseUrl: url, dataDir: process.env.DATA_DIR?.trim() || "./data/pglite" });
try {
  await run(db, process.argv.slice(2));
} catch (e) {
  console.error(e instanceof UsageError ? `${e.message}\n${USAGE}` : (e as Error).message);
  process.exitCode = 1;
} finally {
  await db.close();
}
