/** The console's HTTP API on a harness's database and fake Bot API, with init data signed as Telegram signs it. */
import { consoleServer } from "../../src/app/console.js";
import { createLogger } from "../../src/platform/logger.js";
import { fileDownloader } from "../../src/platform/telegram/files.js";
import { signInitData } from "../../src/platform/telegram/webapp.js";
import { ADMIN_ID, type Harness } from "./harness.js";

export interface InitDataOptions {
  /** When Telegram signed it (default now). */
  authDate?: Date;
  /** Signed with another bot's token. */
  token?: string;
  firstName?: string;
}

/** Init data for a Telegram user, signed for the harness's bot. */
export async function initDataFor(h: Harness, telegramId: number, o: InitDataOptions = {}) {
  const authDate = Math.floor((o.authDate ?? new Date()).getTime() / 1000);
  return signInitData(o.token ?? h.tg.token, {
    query_id: `AAH${telegramId}`,
    user: JSON.stringify({ id: telegramId, first_name: o.firstName ?? `User ${telegramId}`, language_code: "en" }),
    auth_date: String(authDate),
  });
}

/** The API's JSON, read loosely by the tests (as a script would). */
// biome-ignore lint/suspicious/noExplicitAny: the tests read answers of many shapes
type Json = any;

export interface ConsoleClient {
  base: string;
  port: number;
  /** A request with "Authorization: tma <init data>" (or the raw header given). The JSON is read loosely, as a script would. */
  call(
    method: "GET" | "POST",
    path: string,
    auth: string | undefined,
    body?: unknown,
  ): Promise<{ status: number; json: Json; text: string; bytes: Buffer; type: string }>;
  asUser(telegramId: number, o?: InitDataOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startConsole(h: Harness, opts: { pageDir?: string; now?: () => Date } = {}): Promise<ConsoleClient> {
  const config = {
    botToken: h.tg.token,
    adminTelegramIds: new Set([ADMIN_ID]),
    timeZone: "Asia/Phnom_Penh",
    consoleSessionHours: 24,
    defaultLocale: undefined,
  };
  const logger = createLogger("silent");
  const server = consoleServer({
    prisma: h.db.prisma,
    config,
    download: fileDownloader({ botToken: h.tg.token, apiRoot: h.tg.apiRoot, telegramTimeoutSeconds: 5 }),
    logger,
    now: opts.now,
    pageDir: opts.pageDir,
  });
  const port = await server.listen();
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    async call(method, path, auth, body) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...(auth ? { authorization: auth } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
      const bytes = Buffer.from(await res.arrayBuffer());
      const text = bytes.toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text, bytes, type: res.headers.get("content-type") ?? "" };
    },
    asUser: async (id, o) => `tma ${await initDataFor(h, id, o)}`,
    close: () => server.close(),
  };
}
