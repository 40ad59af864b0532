import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/platform/config.js";

const TOKEN = "123456:ABCdefGhIJKlmnoPQRstuVWXyz";

describe("config", () => {
  it("needs only BOT_TOKEN, with documented defaults", () => {
    const c = loadConfig({ BOT_TOKEN: TOKEN });
    expect(c).toMatchObject({
      botToken: TOKEN,
      apiRoot: "https://api.telegram.org",
      databaseUrl: undefined,
      timeZone: "Asia/Phnom_Penh",
      logLevel: "info",
      substantiationReminderDays: 7,
      preparedStatements: true,
      publicUrl: undefined,
      consoleSessionHours: 24,
    });
    expect([...c.adminTelegramIds]).toEqual([]);
  });

  it("reads every setting", () => {
    const c = loadConfig({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081/",
      DATABASE_URL: "postgres://u@db:5432/oh",
      ADMIN_TELEGRAM_IDS: "12, 34",
      DEFAULT_LOCALE: "km",
      TZ: "Asia/Bangkok",
      LOG_LEVEL: "debug",
      SUBSTANTIATION_REMINDER_DAYS: "10",
      DATABASE_PREPARED_STATEMENTS: "false",
      PUBLIC_URL: "https://bot.example.org/",
      CONSOLE_SESSION_HOURS: "8",
    });
    expect(c).toMatchObject({
      preparedStatements: false,
      publicUrl: "https://bot.example.org",
      consoleSessionHours: 8,
      apiRoot: "http://127.0.0.1:8081",
      databaseUrl: "postgres://u@db:5432/oh",
      defaultLocale: "km",
      timeZone: "Asia/Bangkok",
      logLevel: "debug",
      substantiationReminderDays: 10,
    });
    expect([...c.adminTelegramIds]).toEqual([12, 34]);
  });

  it.each([
    [{}, "Configuration error: BOT_TOKEN is required"],
    [{ BOT_TOKEN: "nope" }, "BOT_TOKEN does not look like a bot token"],
    [{ BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: "not a url" }, "TELEGRAM_API_ROOT must be a URL"],
    [{ BOT_TOKEN: TOKEN, DATABASE_URL: "mysql://x" }, "DATABASE_URL must be a postgres:// URL"],
    [{ BOT_TOKEN: TOKEN, ADMIN_TELEGRAM_IDS: "alice" }, "ADMIN_TELEGRAM_IDS must be comma-separated numeric Telegram ids"],
    [{ BOT_TOKEN: TOKEN, DEFAULT_LOCALE: "fr" }, "DEFAULT_LOCALE must be one of: en, km"],
    [{ BOT_TOKEN: TOKEN, TZ: "Mars/Olympus" }, "TZ is not a known time zone"],
    [{ BOT_TOKEN: TOKEN, LOG_LEVEL: "loud" }, "LOG_LEVEL"],
    [{ BOT_TOKEN: TOKEN, SUBSTANTIATION_REMINDER_DAYS: "0" }, "SUBSTANTIATION_REMINDER_DAYS must be at least 1"],
    [{ BOT_TOKEN: TOKEN, SUBSTANTIATION_REMINDER_DAYS: "soon" }, "SUBSTANTIATION_REMINDER_DAYS must be a number of days"],
    [{ BOT_TOKEN: TOKEN, DATABASE_PREPARED_STATEMENTS: "maybe" }, "DATABASE_PREPARED_STATEMENTS must be true or false"],
    [{ BOT_TOKEN: TOKEN, PUBLIC_URL: "http://bot.example.org" }, "PUBLIC_URL must start with https://"],
    [{ BOT_TOKEN: TOKEN, CONSOLE_SESSION_HOURS: "0" }, "CONSOLE_SESSION_HOURS"],
  ])("refuses %j with one line naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("the bot stops with that one line and no stack trace", () => {
    const r = spawnSync(process.execPath, ["dist/app/main.js"], {
      env: { PATH: process.env.PATH, BOT_TOKEN: "" },
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toBe("Configuration error: BOT_TOKEN is required");
  });
});
