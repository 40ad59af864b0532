/** Starts the bot: validate config, open and migrate the database, then run until SIGTERM. */
import { ConfigError, loadConfig, type Config } from "../platform/config.js";
import { openDatabase, type Database } from "../platform/db/client.js";
import { DirectoryInUseError } from "../platform/db/lock.js";
import { createLogger } from "../platform/logger.js";
import { startApp, type App } from "./runtime.js";

let config: Config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const logger = createLogger(config.logLevel, { secrets: [config.botToken, config.webhookSecret] });
let db: Database;
try {
  db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, preparedStatements: config.preparedStatements });
} catch (e) {
  if (!(e instanceof DirectoryInUseError)) throw e;
  console.error(e.message);
  process.exit(1);
}
const applied = await db.migrate();
logger.info({ database: db.kind, applied }, applied.length ? "migrations applied" : "database up to date");

let app: App | undefined;
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping: no new updates; finishing those in flight");
  const deadline = setTimeout(() => {
    logger.error({ seconds: config.shutdownTimeoutSeconds }, "shutdown took too long: exiting anyway");
    process.exit(1);
  }, config.shutdownTimeoutSeconds * 1000);
  deadline.unref();
  await (app ? app.stop() : db.close());
  logger.info("stopped");
  process.exit(0);
}
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));

try {
  app = await startApp(config, { db, logger });
} catch (e) {
  logger.fatal({ api_root: config.apiRoot, message: (e as Error).message }, "could not start");
  await db.close();
  process.exit(1);
}
