import { z } from "zod";
import { LANGUAGES } from "./i18n/index.js";

const optional = (s: string | undefined) => (s === undefined || s.trim() === "" ? undefined : s.trim());

const schema = z.object({
  BOT_TOKEN: z
    .string({ required_error: "is required (get one from @BotFather)" })
    .regex(/^\d+:[A-Za-z0-9_-]{10,}$/, "does not look like a bot token (expected <digits>:<secret>)"),
  TELEGRAM_API_ROOT: z.string().url("must be a URL such as https://api.telegram.org").default("https://api.telegram.org"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL (leave it unset for the embedded database)")
    .optional(),
  DATA_DIR: z.string().default("./data/pglite"),
  DATABASE_PREPARED_STATEMENTS: z.enum(["true", "false"], { errorMap: () => ({ message: "must be true or false" }) }).default("true"),
  ADMIN_TELEGRAM_IDS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, "must be comma-separated numeric Telegram ids, e.g. 12345,67890")
    .optional(),
  DEFAULT_LOCALE: z.enum(LANGUAGES, { errorMap: () => ({ message: `must be one of: ${LANGUAGES.join(", ")}` }) }).optional(),
  TZ: z
    .string()
    .default("Asia/Phnom_Penh")
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "is not a known time zone (e.g. Asia/Phnom_Penh)"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  BOT_MODE: z.enum(["polling", "webhook"], { errorMap: () => ({ message: "must be polling or webhook" }) }).default("polling"),
  WEBHOOK_URL: z.string().url("must be the public https URL Telegram posts updates to").optional(),
  WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,256}$/, "must be 16 to 256 characters of A-Z, a-z, 0-9, _ and - (Telegram's secret_token rules)")
    .optional(),
  PUBLIC_URL: z
    .string()
    .url("must be the public https URL of this server (the console is at PUBLIC_URL/console/)")
    .refine((u) => u.startsWith("https://"), "must start with https:// (Telegram opens Mini Apps only over HTTPS)")
    .optional(),
  CONSOLE_SESSION_HOURS: z.coerce.number({ invalid_type_error: "must be a number of hours" }).int().min(1).max(168).default(24),
  PORT: z.coerce.number({ invalid_type_error: "must be a port number" }).int().min(0).max(65535, "must be a port number").default(8080),
  HOST: z.string().default("0.0.0.0"),
  INTERNAL_PORT: z.coerce.number({ invalid_type_error: "must be a port number" }).int().min(0).max(65535, "must be a port number").optional(),
  RATE_LIMIT_PER_MINUTE: z.coerce.number({ invalid_type_error: "must be a number" }).int().min(5, "must be at least 5").max(10_000).default(30),
  RATE_LIMIT_PRESSES_PER_MINUTE: z.coerce.number({ invalid_type_error: "must be a number" }).int().min(30, "must be at least 30").max(10_000).default(240),
  REPLY_GRACE_SECONDS: z.coerce.number({ invalid_type_error: "must be a number of seconds" }).int().min(1).max(3600).default(30),
  TELEGRAM_TIMEOUT_SECONDS: z.coerce.number({ invalid_type_error: "must be a number of seconds" }).int().min(1).max(300).default(30),
  SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number({ invalid_type_error: "must be a number of seconds" }).int().min(1).max(600).default(20),
  SUBSTANTIATION_REMINDER_DAYS: z.coerce
    .number({ invalid_type_error: "must be a number of days" })
    .int("must be a whole number of days")
    .min(1, "must be at least 1")
    .max(60, "must be at most 60")
    .default(7),
});

export interface Config {
  botToken: string;
  apiRoot: string;
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL: the per-update statements go as named prepared statements (off for PgBouncer in transaction mode). */
  preparedStatements: boolean;
  adminTelegramIds: Set<number>;
  defaultLocale?: (typeof LANGUAGES)[number];
  timeZone: string;
  logLevel: string;
  /** Days without an answer before a substantiator is reminded (at most twice). */
  substantiationReminderDays: number;
  mode: "polling" | "webhook";
  /** Webhook mode: the public URL Telegram posts to, and the secret it must send back. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** The server's public https address: it turns the coordinators' console (a Mini App) and its API on. */
  publicUrl?: string;
  /** How long Telegram's init data opens the console, from when Telegram signed it. */
  consoleSessionHours: number;
  /** Where the HTTP server (webhook and health endpoint) listens. */
  port: number;
  host: string;
  /** A port on 127.0.0.1 for the detailed status (operators only); none when unset. */
  internalPort?: number;
  /** Updates one person may send per minute before the bot asks them to slow down. */
  rateLimitPerMinute: number;
  /** Button presses one person may make per minute (presses are cheap; a person classifying presses a lot). */
  rateLimitPressesPerMinute: number;
  /** How long one Bot API request may take before it is retried. */
  telegramTimeoutSeconds: number;
  /** How long a handled update's replies wait for their instance before the send queue sends them. */
  replyGraceSeconds: number;
  /** How long a graceful shutdown may take before the process exits anyway. */
  shutdownTimeoutSeconds: number;
}

export class ConfigError extends Error {}

/** Validates the environment. Throws ConfigError with one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.keys(schema.shape).map((k) => [k, optional(env[k])]));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    const message = issue.code === "invalid_type" && cleaned[name] === undefined ? "is required" : issue.message;
    throw new ConfigError(`Configuration error: ${name} ${message}`);
  }
  const c = parsed.data;
  if (c.BOT_MODE === "webhook") {
    if (!c.WEBHOOK_URL) throw new ConfigError("Configuration error: WEBHOOK_URL is required when BOT_MODE=webhook");
    if (!c.WEBHOOK_SECRET)
      throw new ConfigError("Configuration error: WEBHOOK_SECRET is required when BOT_MODE=webhook (16+ characters of A-Z, a-z, 0-9, _ and -)");
  }
  return {
    botToken: c.BOT_TOKEN,
    apiRoot: c.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
    databaseUrl: c.DATABASE_URL,
    dataDir: c.DATA_DIR,
    preparedStatements: c.DATABASE_PREPARED_STATEMENTS === "true",
    adminTelegramIds: new Set(
      (c.ADMIN_TELEGRAM_IDS ?? "")
        .split(",")
        .filter((s) => s.trim())
        .map((s) => Number(s.trim())),
    ),
    defaultLocale: c.DEFAULT_LOCALE,
    timeZone: c.TZ,
    logLevel: c.LOG_LEVEL,
    substantiationReminderDays: c.SUBSTANTIATION_REMINDER_DAYS,
    mode: c.BOT_MODE,
    webhookUrl: c.WEBHOOK_URL,
    webhookSecret: c.WEBHOOK_SECRET,
    publicUrl: c.PUBLIC_URL?.replace(/\/+$/, ""),
    consoleSessionHours: c.CONSOLE_SESSION_HOURS,
    port: c.PORT,
    host: c.HOST,
    internalPort: c.INTERNAL_PORT,
    rateLimitPerMinute: c.RATE_LIMIT_PER_MINUTE,
    rateLimitPressesPerMinute: c.RATE_LIMIT_PRESSES_PER_MINUTE,
    telegramTimeoutSeconds: c.TELEGRAM_TIMEOUT_SECONDS,
    replyGraceSeconds: c.REPLY_GRACE_SECONDS,
    shutdownTimeoutSeconds: c.SHUTDOWN_TIMEOUT_SECONDS,
  };
}
