/** What every command of the command line is: its words, its usage line, and what it does. */
import type { Database } from "../platform/db/client.js";

/** A mistake in how a command was called: shown with the usage. */
export class UsageError extends Error {}

export interface Io {
  /** One line of the command's output. */
  print(line: string): void;
  env: Record<string, string | undefined>;
}

export interface Command {
  /** The words that name it: ["org", "create"]; ["export"] takes options only. */
  words: string[];
  /** What follows the words in the usage text. */
  usage: string;
  /** Runs on a migrated database (migrate itself excepted), with the arguments after the words. */
  run(db: Database, args: string[], io: Io): Promise<void>;
  /** Runs before migrations are applied (the migrate command). */
  beforeMigrations?: boolean;
}

export type Prisma = Database["prisma"];

/** An organisation by id or exact name. */
export async function findOrg(prisma: Prisma, ref: string | undefined) {
  if (!ref) throw new UsageError("--org is required");
  const org = /^\d+$/.test(ref)
    ? await prisma.organisation.findUnique({ where: { id: Number(ref) } })
    : await prisma.organisation.findUnique({ where: { name: ref } });
  if (!org) throw new UsageError(`no organisation "${ref}" (see: npm run cli -- org list)`);
  return org;
}
