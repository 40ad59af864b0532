/**
 * The HTTP side of the bot: Telegram's webhook (BOT_MODE=webhook) and a health endpoint (both
 * modes), plus an optional internal status endpoint on a port of its own. The webhook checks
 * Telegram's secret token on every request before reading the update, stores the update in the
 * inbox and only then answers 200; a store that fails answers 500, so Telegram delivers again.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";
import type { Logger } from "../platform/logger.js";

export interface ServerOptions {
  host: string;
  port: number;
  /** The path of WEBHOOK_URL; no webhook route without it. */
  webhookPath?: string;
  webhookSecret?: string;
  /** Stores one update durably; the 200 is sent once it resolves. */
  onUpdate?: (update: Update) => Promise<void>;
  /** The last health check's result (cached: a request never queries the database). */
  healthy: () => boolean;
  logger: Logger;
  timeouts?: Timeouts;
}

/** Telegram's updates are small; a body above this is refused with 413 before it is read whole. */
export const MAX_BODY = 1_000_000;
/** Slow or idle clients are cut off: the whole request within this time, headers sooner. */
export interface Timeouts {
  requestMs: number;
  headersMs: number;
  /** How often Node looks for requests past these limits. */
  checkEveryMs: number;
}
export const TIMEOUTS: Timeouts = { requestMs: 15_000, headersMs: 10_000, checkEveryMs: 2_000 };

export function secretMatches(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

class TooLarge extends Error {}

/** Starts a plain HTTP server with the timeouts above; resolves with its port. */
export async function listen(
  host: string,
  port: number,
  route: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  logger: Logger,
  timeouts: Timeouts = TIMEOUTS,
): Promise<{ server: Server; port: number }> {
  const server = createServer(
    { connectionsCheckingInterval: timeouts.checkEveryMs, headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs },
    (req, res) => {
      route(req, res).catch((e) => {
        if (e instanceof TooLarge) return reply(res, 413, { ok: false, description: "request body too large" }, true);
        logger.error({ message: (e as Error).message }, "http request failed");
        if (!res.headersSent) reply(res, 500, { ok: false });
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  // An idle socket (nothing sent, nothing to answer) is closed too.
  server.setTimeout(timeouts.requestMs * 2, (socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/** Stops taking connections; open keep-alive connections are closed once idle. */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (!server) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const sweep = setInterval(() => server.closeIdleConnections(), 50);
  server.closeIdleConnections();
  await closed.finally(() => clearInterval(sweep));
}

export class HttpServer {
  private server?: Server;
  constructor(private readonly opts: ServerOptions) {}

  async listen(): Promise<number> {
    const { server, port } = await listen(this.opts.host, this.opts.port, (req, res) => this.route(req, res), this.opts.logger, this.opts.timeouts);
    this.server = server;
    return port;
  }

  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async route(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method === "GET" && (path === "/healthz" || path === "/health")) {
      // Public: the state only, no internals (those are on the internal port).
      const ok = this.opts.healthy();
      return reply(res, ok ? 200 : 503, { status: ok ? "ok" : "unavailable" });
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
      try {
        await onUpdate(update);
      } catch (e) {
        this.opts.logger.warn({ message: (e as Error).message, update_id: update.update_id }, "webhook update not stored: Telegram will deliver it again");
        return reply(res, 500, { ok: false });
      }
      return reply(res, 200, { ok: true });
    }
    return reply(res, 404, { ok: false });
  }
}

/** The internal status endpoint: GET /status with the details, on 127.0.0.1 only. */
export async function internalServer(port: number, detail: () => Promise<Record<string, unknown>>, logger: Logger) {
  return listen(
    "127.0.0.1",
    port,
    async (req, res) => {
      if (req.method === "GET" && (req.url ?? "").split("?")[0] === "/status") return reply(res, 200, await detail());
      reply(res, 404, { ok: false });
    },
    logger,
  );
}

function reply(res: ServerResponse, status: number, body: unknown, close = false) {
  if (res.headersSent) return;
  res.writeHead(status, { "content-type": "application/json", ...(close ? { connection: "close" } : {}) });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY) {
    req.resume();
    throw new TooLarge();
  }
  // A body without a length: read to its end (the request timeout bounds it), keeping nothing past the limit.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size <= MAX_BODY) chunks.push(c as Buffer);
  }
  if (size > MAX_BODY) throw new TooLarge();
  return Buffer.concat(chunks).toString("utf8");
}
