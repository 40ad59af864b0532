/**
 * The HTTP side of the bot: Telegram's webhook (BOT_MODE=webhook) and a health endpoint (both
 * modes). The webhook checks Telegram's secret token on every request before reading the update.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";
import type { Logger } from "../logger.js";

export interface ServerOptions {
  host: string;
  port: number;
  /** The path of WEBHOOK_URL; no webhook route without it. */
  webhookPath?: string;
  webhookSecret?: string;
  /** Handles one update; the response is sent when it is done (or after `answerWithinMs`). */
  onUpdate?: (update: Update) => Promise<void>;
  /** Whether the bot can serve (database reachable, not shutting down). */
  health: () => Promise<{ ok: boolean; detail: Record<string, unknown> }>;
  logger: Logger;
  /** Telegram waits about a minute; answer before that even if the update is still being handled. */
  answerWithinMs?: number;
}

const MAX_BODY = 1_000_000;

export function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class HttpServer {
  private server?: Server;
  constructor(private readonly opts: ServerOptions) {}

  async listen(): Promise<number> {
    this.server = createServer((req, res) => {
      this.route(req, res).catch((e) => {
        this.opts.logger.error({ message: (e as Error).message }, "http request failed");
        if (!res.headersSent) reply(res, 500, { ok: false });
      });
    });
    this.server.keepAliveTimeout = 5_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.opts.port, this.opts.host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Stops taking connections; open keep-alive connections are closed once idle. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Connections close as soon as their request is answered (keep-alive ones would linger).
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.closeIdleConnections();
    await closed.finally(() => clearInterval(sweep));
  }

  private async route(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === "/healthz" || path === "/health")) {
      const { ok, detail } = await this.opts.health();
      return reply(res, ok ? 200 : 503, { status: ok ? "ok" : "unavailable", ...detail });
    }
    const { webhookPath, webhookSecret, onUpdate } = this.opts;
    if (webhookPath && onUpdate && webhookSecret && path === webhookPath) {
      if (req.method !== "POST") return reply(res, 405, { ok: false });
      if (!secretMatches(req.headers["x-telegram-bot-api-secret-token"], webhookSecret)) {
        req.resume();
        this.opts.logger.warn({ remote: req.socket.remoteAddress }, "webhook call with a wrong or missing secret token refused");
        return reply(res, 401, { ok: false, description: "secret token is wrong" });
      }
      const body = await readBody(req);
      let update: Update;
      try {
        update = JSON.parse(body) as Update;
        if (typeof update?.update_id !== "number") throw new Error("no update_id");
      } catch {
        return reply(res, 400, { ok: false, description: "not an update" });
      }
      const handled = onUpdate(update).catch((e) => this.opts.logger.error({ message: (e as Error).message }, "webhook update failed"));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([handled, new Promise((r) => (timer = setTimeout(r, this.opts.answerWithinMs ?? 50_000)))]);
      clearTimeout(timer);
      return reply(res, 200, { ok: true });
    }
    return reply(res, 404, { ok: false });
  }
}

function reply(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new Error("request body too large");
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
