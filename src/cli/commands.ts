/**
 * The command line's table: set-up without Telegram (migrations, organisations, invites,
 * members, classification dimensions, harvest rounds, exports, imports). The usage text is made from it.
 */
import type { Database } from "../platform/db/client.js";
import { type Command, type Io, UsageError } from "./command.js";
import { dimensionCommands } from "./dimensions.js";
import { memberCommands } from "./members.js";
import { organisationCommands } from "./organisations.js";
import { importCommand } from "./imports.js";
import { exportCommand, migrateCommand } from "./reports.js";
import { roundCommands } from "./rounds.js";
import { apiKeyCommands } from "./api-keys.js";

export const COMMANDS: Command[] = [
  migrateCommand,
  ...organisationCommands,
  ...memberCommands,
  ...dimensionCommands,
  ...roundCommands,
  exportCommand,
  importCommand,
  ...apiKeyCommands,
];

export const USAGE = `usage:\n${COMMANDS.map((c) => `  npm run cli -- ${[...c.words, c.usage].filter(Boolean).join(" ")}`).join("\n")}`;

/** The command these arguments name, and the arguments after its words. */
export function findCommand(argv: string[]): { command: Command; args: string[] } | undefined {
  const command = COMMANDS.find((c) => c.words.every((w, i) => argv[i] === w));
  return command ? { command, args: argv.slice(command.words.length) } : undefined;
}

/** Runs one command line on an open database; a UsageError is the caller's to print with USAGE. */
export async function runCli(db: Database, argv: string[], io: Io): Promise<void> {
  const found = findCommand(argv);
  if (!found) throw new UsageError(`unknown command: ${argv.join(" ")}`);
  if (!found.command.beforeMigrations) await db.migrate();
  await found.command.run(db, found.args, io);
}

/** Runs one command line and says how it went, as the process would: 0, or 1 with the reason (and the usage, for a mistake in the call). */
export async function runCommandLine(db: Database, argv: string[], io: Io & { error(line: string): void }): Promise<number> {
  try {
    await runCli(db, argv, io);
    return 0;
  } catch (e) {
    io.error(e instanceof UsageError ? `${e.message}\n${USAGE}` : (e as Error).message);
    return 1;
  }
}
