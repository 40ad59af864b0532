/** Starts the bot: validate config, open and migrate the database, register commands, poll. */
import { createBot, registerCommands } from "./bot.js";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { openDatabase } from "./db/client.js";
import { createLogger } from "./logger.js";
import { startDigests } from "./digest/digest.js";
import { startRoundReminders } from "./harvest/rounds.js";
import { onOutboxFailure } from "./telegram/failures.js";
import { Outbox } from "./telegram/outbox.js";
import { startReminders } from "./substantiation/reminders.js";

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

const logger = createLogger(config.logLevel);
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
const applied = await db.migrate();
logger.info({ database: db.kind, applied }, applied.length ? "migrations applied" : "database up to date");

const bot = createBot(config, { prisma: db.prisma, logger });

let stopping = false;
let stopReminders: (() => void) | undefined;
let stopDigests: (() => void) | undefined;
let stopRounds: (() => void) | undefined;
let outbox: Outbox | undefined;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "stopping");
  stopReminders?.();
  stopDigests?.();
  stopRounds?.();
  await bot.stop();
  await outbox?.stop(); // finishes the message being sent
  await db.close();
  process.exit(0);
}
process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));

const CONNECT_TIMEOUT_MS = 30_000;
logger.info({ api_root: config.apiRoot }, "connecting to the Telegram Bot API");
try {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CONNECT_TIMEOUT_MS / 1000} s`)), CONNECT_TIMEOUT_MS);
  });
  await Promise.race([bot.init().then(() => registerCommands(bot.api)), timeout]).finally(() => clearTimeout(timer));
} catch (e) {
  logger.fatal(
    { api_root: config.apiRoot, message: (e as Error).message },
    "cannot reach the Telegram Bot API (check BOT_TOKEN, TELEGRAM_API_ROOT and the network)",
  );
  await db.close();
  process.exit(1);
}
outbox = new Outbox({ api: bot.api, prisma: db.prisma, logger }, { onFailed: onOutboxFailure(db.prisma, logger) });
outbox.start();
stopReminders = startReminders({ prisma: db.prisma, logger }, config);
stopDigests = startDigests({ prisma: db.prisma, logger }, config);
stopRounds = startRoundReminders({ prisma: db.prisma, logger }, config);
await bot.start({
  drop_pending_updates: false,
  allowed_updates: ["message", "edited_message", "callback_query", "my_chat_member"],
  onStart: (me) => logger.info({ username: me.username, api_root: config.apiRoot, database: db.kind }, "bot started"),
});
