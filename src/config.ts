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
  SUBSTANTIATION_REMINDER_DAYS: z.coerce.number({ invalid_type_error: "must be a number of days" }).int("must be a whole number of days").min(1, "must be at least 1").max(60, "must be at most 60").default(7),
});

export interface Config {
  botToken: string;
  apiRoot: string;
  databaseUrl?: string;
  dataDir: string;
  adminTelegramIds: Set<number>;
  defaultLocale?: (typeof LANGUAGES)[number];
  timeZone: string;
  logLevel: string;
  /** Days without an answer before a substantiator is reminded (at most twice). */
  substantiationReminderDays: number;
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
  return {
    botToken: c.BOT_TOKEN,
    apiRoot: c.TELEGRAM_API_ROOT.replace(/\/+$/, ""),
    databaseUrl: c.DATABASE_URL,
    dataDir: c.DATA_DIR,
    adminTelegramIds: new Set((c.ADMIN_TELEGRAM_IDS ?? "").split(",").filter((s) => s.trim()).map((s) => Number(s.trim()))),
    defaultLocale: c.DEFAULT_LOCALE,
    timeZone: c.TZ,
    logLevel: c.LOG_LEVEL,
    substantiationReminderDays: c.SUBSTANTIATION_REMINDER_DAYS,
  };
}
