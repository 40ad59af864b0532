/** npm run cli -- api-key create|list|revoke: read-only keys to the console's API, for a programme's reports. */
import { createApiKey, listApiKeys, revokeApiKey } from "../console/service.js";
import { type Command, UsageError } from "./command.js";

export const apiKeyCommands: Command[] = [
  {
    words: ["api-key", "create"],
    usage: "<name>",
    async run({ prisma }, args, io) {
      const name = args.join(" ").trim();
      if (!name) throw new UsageError('api-key create needs a name that says who uses it, e.g. "Power BI"');
      const key = await createApiKey(prisma, name.slice(0, 100));
      io.print(`created API key ${key.id} (${key.name}); it is shown once, keep it secret:`);
      io.print(key.key);
      io.print('Use it as the header "Authorization: Bearer <key>" on GET /api/v1/… (read-only, every organisation).');
    },
  },
  {
    words: ["api-key", "list"],
    usage: "",
    async run({ prisma }, _args, io) {
      const keys = await listApiKeys(prisma);
      if (keys.length === 0) io.print("no API keys");
      for (const k of keys)
        io.print(
          `${k.id}\t${k.name}\tcreated ${k.createdAt.toISOString()}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : `last used ${k.lastUsedAt?.toISOString() ?? "never"}`}`,
        );
    },
  },
  {
    words: ["api-key", "revoke"],
    usage: "<id>",
    async run({ prisma }, args, io) {
      const id = Number(args[0]);
      if (!Number.isInteger(id) || id <= 0) throw new UsageError("api-key revoke needs the key's number (see: npm run cli -- api-key list)");
      if (!(await revokeApiKey(prisma, id, new Date()))) throw new Error(`no API key ${id} that is still valid`);
      io.print(`revoked API key ${id}`);
    },
  },
];
