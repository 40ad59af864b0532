/** npm run cli -- org create | org list | invite create */
import { parseArgs } from "node:util";
import { z } from "zod";
import { createInvite, inviteLink } from "../onboarding/service.js";
import { type Command, findOrg, type Io, UsageError } from "./command.js";

/** The bot's username for invite links: --bot, BOT_USERNAME, or asked of Telegram with BOT_TOKEN. */
async function botUsername(io: Io, explicit?: string): Promise<string | undefined> {
  if (explicit) return explicit.replace(/^@/, "");
  if (io.env.BOT_USERNAME) return io.env.BOT_USERNAME.replace(/^@/, "");
  const token = io.env.BOT_TOKEN;
  if (!token) return undefined;
  const root = (io.env.TELEGRAM_API_ROOT || "https://api.telegram.org").replace(/\/+$/, "");
  try {
    const res = await fetch(`${root}/bot${token}/getMe`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { ok: boolean; result?: { username?: string } };
    return body.result?.username;
  } catch {
    return undefined;
  }
}

export const organisationCommands: Command[] = [
  {
    words: ["org", "create"],
    usage: '"<name>"',
    async run({ prisma }, args, io) {
      const name = args.join(" ").trim().replace(/\s+/g, " ");
      if (!name) throw new UsageError("org create needs a name");
      const existing = await prisma.organisation.findUnique({ where: { name } });
      if (existing) throw new UsageError(`organisation "${name}" already exists (id ${existing.id})`);
      const org = await prisma.organisation.create({ data: { name } });
      io.print(`created organisation ${org.id}: ${org.name}`);
    },
  },
  {
    words: ["org", "list"],
    usage: "",
    async run({ prisma }, _args, io) {
      const orgs = await prisma.organisation.findMany({ orderBy: { id: "asc" }, include: { _count: { select: { memberships: true } } } });
      if (orgs.length === 0) io.print("no organisations yet");
      for (const o of orgs) io.print(`${o.id}\t${o.name}\t${o._count.memberships} member(s)`);
    },
  },
  {
    words: ["invite", "create"],
    usage: "--org <id|name> --role leader|coordinator|substantiator [--programme] [--uses 20] [--days 30] [--bot <username>]",
    async run({ prisma }, args, io) {
      const { values } = parseArgs({
        args,
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
      const username = await botUsername(io, values.bot);
      io.print(
        `invite for ${org.name} as ${role}${values.programme ? " of the whole programme" : ""}: ${uses} use(s), expires ${invite.expiresAt.toISOString()}`,
      );
      io.print(username ? inviteLink(username, code) : `code: ${code}\n(send "/start ${code}" to the bot, or pass --bot <username> for a link)`);
    },
  },
];
