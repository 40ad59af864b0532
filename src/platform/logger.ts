import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * A JSON logger (stdout by default). Secrets never reach a log line: fields named like them are
 * removed, and any secret given here (the bot token, the webhook secret) is masked wherever it
 * appears, e.g. inside an error message that quotes a URL.
 */
export function createLogger(level: string, opts: { secrets?: Array<string | undefined>; destination?: DestinationStream } = {}): Logger {
  const secrets = (opts.secrets ?? []).filter((s): s is string => Boolean(s && s.length >= 8));
  // The token's secret part (after "<bot id>:") is masked too, as Telegram URLs may split it.
  const parts = [...new Set(secrets.flatMap((s) => [s, s.includes(":") ? s.slice(s.indexOf(":") + 1) : s]))].sort((a, b) => b.length - a.length);
  const mask = (line: string) => parts.reduce((out, s) => out.split(s).join("[secret]"), line);
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ["token", "*.token", "botToken", "*.botToken", "config.botToken", "secret", "*.secret", "webhookSecret", "*.webhookSecret"],
        remove: true,
      },
      ...(parts.length ? { hooks: { streamWrite: mask } } : {}),
    },
    opts.destination,
  );
}
