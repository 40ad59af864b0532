/**
 * The HTTP side of the bot, on Fastify: Telegram's webhook (BOT_MODE=webhook) and a health
 * endpoint (both modes), plus an optional internal status endpoint on a port of its own; later
 * the coordinators' console. The webhook checks Telegram's secret token before the body is read,
 * stores the update in the inbox and only then answers 200; a store that fails answers 500, so
 * Telegram delivers again.
 *
 * Not grammY's webhookCallback: it runs the bot's middleware inside the request and answers when
 * the handling is done (or times out). Here the request only stores the update durably; the inbox
 * handles it afterwards, in per-chat order and exactly once (platform/telegram/inbox.ts), so the
 * answer to Telegram never waits for the database work of the update itself.
 */
import { timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import Fastify, { type FastifyInstance } from "fastify";
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
  /** More routes on the same server (the coordinators' console). */
  routes?: (fastify: FastifyInstance) => void;
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

/** A Fastify app on Node's HTTP server with the timeouts above; bodies are read as text (JSON is parsed by the route). */
function app(logger: Logger, timeouts: Timeouts): FastifyInstance {
  const fastify = Fastify({
    bodyLimit: MAX_BODY,
    keepAliveTimeout: 5_000,
    // The server's own request and header timeouts (408), checked every checkEveryMs.
    serverFactory: (handler) => {
      const server = createServer(
        { connectionsCheckingInterval: timeouts.checkEveryMs, headersTimeout: timeouts.headersMs, requestTimeout: timeouts.requestMs },
        handler,
      );
      // An idle socket (nothing sent, nothing to answer) is closed too.
      server.setTimeout(timeouts.requestMs * 2, (socket) => socket.destroy());
      return server;
    },
    forceCloseConnections: "idle",
    return503OnClosing: false,
  });
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser("*", { parseAs: "string" }, (_req, body, done) => done(null, body));
  fastify.setNotFoundHandler((_req, reply) => reply.code(404).send({ ok: false }));
  fastify.setErrorHandler((error: { statusCode?: number; message: string }, _req, reply) => {
    if (error.statusCode === 413) return reply.code(413).header("connection", "close").send({ ok: false, description: "request body too large" });
    if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ ok: false });
    logger.error({ message: error.message }, "http request failed");
    return reply.code(500).send({ ok: false });
  });
  return fastify;
}

async function listen(fastify: FastifyInstance, host: string, port: number): Promise<number> {
  await fastify.listen({ host, port });
  return (fastify.server.address() as AddressInfo).port;
}

export class HttpServer {
  private readonly fastify: FastifyInstance;

  constructor(private readonly opts: ServerOptions) {
    const fastify = app(opts.logger, opts.timeouts ?? TIMEOUTS);
    fastify.get("/healthz", (_req, reply) => this.health(reply));
    fastify.get("/health", (_req, reply) => this.health(reply));
    const { webhookPath, webhookSecret, onUpdate } = opts;
    if (webhookPath && onUpdate && webhookSecret) {
      fastify.route({
        method: ["GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS"],
        url: webhookPath,
        handler: (_req, reply) => reply.code(405).send({ ok: false }),
      });
      fastify.post(webhookPath, {
        // Before the body is read: a call without Telegram's secret gets nothing of ours.
        onRequest: async (req, reply) => {
          if (secretMatches(req.headers["x-telegram-bot-api-secret-token"], webhookSecret)) return;
          opts.logger.warn({ remote: req.socket.remoteAddress }, "webhook call with a wrong or missing secret token refused");
          return reply.code(401).send({ ok: false, description: "secret token is wrong" });
        },
        handler: async (req, reply) => {
          let update: Update;
          try {
            update = JSON.parse(String(req.body ?? "")) as Update;
            if (typeof update?.update_id !== "number") throw new Error("no update_id");
          } catch {
            return reply.code(400).send({ ok: false, description: "not an update" });
          }
          try {
            await onUpdate(update);
          } catch (e) {
            opts.logger.warn({ message: (e as Error).message, update_id: update.update_id }, "webhook update not stored: Telegram will deliver it again");
            return reply.code(500).send({ ok: false });
          }
          return reply.code(200).send({ ok: true });
        },
      });
    }
    opts.routes?.(fastify);
    this.fastify = fastify;
  }

  /** Public: the state only, no internals (those are on the internal port). */
  private health(reply: { code(n: number): { send(b: unknown): unknown } }) {
    const ok = this.opts.healthy();
    return reply.code(ok ? 200 : 503).send({ status: ok ? "ok" : "unavailable" });
  }

  listen(): Promise<number> {
    return listen(this.fastify, this.opts.host, this.opts.port);
  }

  /** Stops taking connections; open keep-alive connections are closed once idle. */
  close(): Promise<void> {
    return this.fastify.close();
  }
}

/** The internal status endpoint: GET /status with the details, on 127.0.0.1 only. */
export async function internalServer(port: number, detail: () => Promise<Record<string, unknown>>, logger: Logger) {
  const fastify = app(logger, TIMEOUTS);
  fastify.get("/status", async () => detail());
  return { port: await listen(fastify, "127.0.0.1", port), close: () => fastify.close() };
}
