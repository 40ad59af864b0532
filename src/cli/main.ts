/**
 * The command line: `npm run cli -- <command>` (the commands and their usage: cli/commands.ts).
 * Uses DATABASE_URL / DATA_DIR like the bot. BOT_TOKEN is only needed to look up the bot's username.
 */
import { type Database, openDatabase } from "../platform/db/client.js";
import { DirectoryInUseError } from "../platform/db/lock.js";
import { runCommandLine } from "./commands.js";

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
  process.exitCode = await runCommandLine(db, process.argv.slice(2), {
    print: (line) => console.log(line),
    error: (line) => console.error(line),
    env: process.env,
  });
} finally {
  await db.close();
}
