import { pino, type Logger } from "pino";

export type { Logger };

/** A JSON logger on stdout. The bot token is never logged: grammY errors are scrubbed in bot.ts. */
export function createLogger(level: string): Logger {
  return pino({ level, base: undefined, redact: { paths: ["token", "*.token", "config.botToken"], remove: true } });
}
