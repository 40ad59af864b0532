/** npm run cli -- members list | member role | member deactivate | member reactivate */
import { parseArgs } from "node:util";
import type { Role } from "../generated/prisma/client.js";
import { changeMembership, ROLES } from "../onboarding/service.js";
import { type Command, findOrg, UsageError } from "./command.js";

const change = (action: "role" | "deactivate" | "reactivate", usage: string): Command => ({
  words: ["member", action],
  usage,
  async run({ prisma }, args, io) {
    const { values } = parseArgs({ args, options: { org: { type: "string" }, user: { type: "string" }, role: { type: "string" } } });
    const org = await findOrg(prisma, values.org);
    if (!values.user || !/^\d+$/.test(values.user)) throw new UsageError("--user <telegram id> is required");
    const user = await prisma.user.findUnique({ where: { telegramId: BigInt(values.user) } });
    const m = user && (await prisma.membership.findUnique({ where: { userId_organisationId: { userId: user.id, organisationId: org.id } } }));
    if (!m) throw new UsageError(`user ${values.user} is not a member of ${org.name}`);
    if (action === "role" && !ROLES.includes(values.role as Role)) throw new UsageError("--role must be leader, coordinator or substantiator");
    // The operator at the command line: no actor, so no scope to check.
    const done = await changeMembership(prisma, m.id, action === "role" ? { role: values.role as Role } : { active: action === "reactivate" });
    io.print(
      done.status === "changed" ? `${user!.displayName} in ${org.name}: ${action === "role" ? `role ${values.role}` : `${action}d`}` : "nothing to change",
    );
  },
});

export const memberCommands: Command[] = [
  {
    words: ["members", "list"],
    usage: "[--org <id|name>]",
    async run({ prisma }, args, io) {
      const { values } = parseArgs({ args, options: { org: { type: "string" } } });
      const org = values.org ? await findOrg(prisma, values.org) : undefined;
      const ms = await prisma.membership.findMany({
        where: org ? { organisationId: org.id } : {},
        include: { user: true, organisation: true },
        orderBy: [{ organisationId: "asc" }, { createdAt: "asc" }],
      });
      if (ms.length === 0) io.print("no members");
      for (const m of ms) {
        const wide = m.programmeWide && m.role === "coordinator" ? " (whole programme)" : "";
        io.print(`${m.organisation.name}\t${m.user.telegramId}\t${m.user.displayName}\t${m.role}${wide}\t${m.active ? "active" : "deactivated"}`);
      }
    },
  },
  change("role", "--org <id|name> --user <telegram id> --role leader|coordinator|substantiator"),
  change("deactivate", "--org <id|name> --user <telegram id>"),
  change("reactivate", "--org <id|name> --user <telegram id>"),
];
