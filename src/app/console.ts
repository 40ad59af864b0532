/**
 * The coordinators' console on the bot's own HTTP server: the page (built by Vite into
 * dist/web/console at install) under /console/, and its JSON API under /api/v1/. Every API request
 * carries Telegram's Mini App init data ("Authorization: tma <init data>"), checked here on each
 * request, or a programme's read-only API key ("Authorization: Bearer ohk_…"). No cookies: the
 * page holds the init data Telegram gave it and nothing outlives it.
 */
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodType, ZodTypeAny, z } from "zod";
import type { Config } from "../platform/config.js";
import type { Db } from "../platform/db/client.js";
import { isLang } from "../platform/i18n/index.js";
import type { Logger } from "../platform/logger.js";
import { checkInitData } from "../platform/telegram/webapp.js";
import {
  analysis,
  apiKeyActor,
  applyAction,
  type ConsoleActor,
  consoleActorOf,
  exportFiltered,
  meta,
  statementDetail,
  statementFile,
  statementTable,
  substantiationSummary,
} from "../console/service.js";
import * as Schemas from "../console/schema.js";
import { PAGE_DIR } from "./page.js";
import { HttpServer, secretMatches } from "./http.js";

export interface ConsoleOptions {
  prisma: Db;
  config: Pick<Config, "botToken" | "adminTelegramIds" | "timeZone" | "defaultLocale" | "consoleSessionHours">;
  /** Downloads a file by its Telegram file id (evidence, voice answers). */
  download: (fileId: string) => Promise<Buffer>;
  now?: () => Date;
  logger: Logger;
  /** Where the built page is (default dist/web/console). */
  pageDir?: string;
}

export { PAGE_DIR };

const CONTENT_TYPES: Record<string, string> = { photo: "image/jpeg", voice: "audio/ogg", audio: "audio/mpeg", video: "video/mp4", video_note: "video/mp4" };

/** The page's own files and nothing from elsewhere; Telegram's web client shows it in a frame. */
const PAGE_POLICY = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "script-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'self' https://web.telegram.org https://*.telegram.org",
].join("; ");

/** How long a download link of an export works. */
export const EXPORT_LINK_SECONDS = 600;

interface ExportLink {
  /** The Telegram id of the coordinator it was made for. */
  u: number;
  /** The export's query string (filter and format). */
  q: string;
  /** When it stops working, in seconds since 1970. */
  e: number;
}

/** The HMAC of a link's content, with a key derived from the bot's token. */
const macOf = (botToken: string, body: string) =>
  createHmac("sha256", createHmac("sha256", "ConsoleExportLink").update(botToken).digest()).update(body).digest("base64url");

/** A link's token: its content and its HMAC. */
export function signExportLink(botToken: string, link: ExportLink): string {
  const body = Buffer.from(JSON.stringify(link)).toString("base64url");
  return `${body}.${macOf(botToken, body)}`;
}

function readExportLink(botToken: string, token: string, at: Date): ExportLink | undefined {
  const [body, mac] = token.split(".");
  if (!body || !mac || !secretMatches(mac, macOf(botToken, body))) return undefined;
  try {
    const link = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as ExportLink;
    return Number.isSafeInteger(link.u) && typeof link.q === "string" && link.e >= at.getTime() / 1000 ? link : undefined;
  } catch {
    return undefined;
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
  ) {
    super(code);
  }
}

/** A query string as Fastify reads one: a key given several times has an array of values. */
function queryOf(search: string): Record<string, string | string[]> {
  const params = new URLSearchParams(search);
  return Object.fromEntries([...new Set(params.keys())].map((key) => [key, params.getAll(key).length === 1 ? params.get(key)! : params.getAll(key)]));
}

/** The name an export is saved under. */
const exportFileName = (day: Date, format: string) => `outcomes-${day.toISOString().slice(0, 10)}.${format}`;

function parse<S extends ZodTypeAny>(schema: S, value: unknown): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw new HttpError(400, `bad request: ${r.error.issues.map((i) => `${i.path.join(".") || "body"} ${i.message}`).join("; ")}`);
  return r.data;
}

export function registerConsole(fastify: FastifyInstance, opts: ConsoleOptions) {
  const now = () => opts.now?.() ?? new Date();
  const { prisma, config } = opts;
  const fallback = config.defaultLocale ?? "en";

  /** Who calls: checked on every request, never remembered. */
  async function who(req: FastifyRequest): Promise<ConsoleActor> {
    const header = req.headers.authorization ?? "";
    const [kind, ...rest] = header.split(" ");
    const value = rest.join(" ").trim();
    if (kind?.toLowerCase() === "bearer") {
      const lang = (req.query as { lang?: string }).lang;
      const reader = await apiKeyActor(prisma, value, isLang(lang) ? lang : fallback, now());
      if (!reader) throw new HttpError(401, "the API key is unknown or revoked");
      return reader;
    }
    if (kind?.toLowerCase() !== "tma") throw new HttpError(401, "open the console from the bot (no init data)");
    const checked = checkInitData(value, config.botToken, now(), config.consoleSessionHours * 3600);
    if (!checked.ok)
      throw new HttpError(401, checked.reason === "expired" ? "the console was opened too long ago: open it again from the bot" : "init data is not valid");
    const actor = await consoleActorOf(prisma, checked.user, config.adminTelegramIds, fallback);
    if (typeof actor === "string") {
      opts.logger.warn({ telegram_id: checked.user.id, reason: actor }, "console refused");
      throw new HttpError(403, "the console is for coordinators");
    }
    return actor;
  }

  const send = <T>(reply: FastifyReply, schema: ZodType<T>, body: T, status = 200) =>
    reply
      .code(status)
      .header("cache-control", "no-store")
      .type("application/json; charset=utf-8")
      .send(JSON.stringify(schema.parse(body)));

  const statementId = (req: FastifyRequest) => parse(Schemas.StatementParams, req.params).id;
  const notFound = () => new HttpError(404, "no such statement in your organisations");

  fastify.register(
    async (api) => {
      api.setErrorHandler((error: Error & { statusCode?: number }, _req, reply) => {
        if (error instanceof HttpError) return reply.code(error.status).header("cache-control", "no-store").send({ ok: false, error: error.code });
        if (error.statusCode && error.statusCode < 500) return reply.code(error.statusCode).send({ ok: false, error: "bad request" });
        opts.logger.error({ message: error.message }, "console request failed");
        return reply.code(500).send({ ok: false, error: "something went wrong" });
      });
      // Bodies are JSON here (the webhook's server reads every body as text).
      api.addContentTypeParser("application/json", { parseAs: "string" }, (_req, body, done) => {
        try {
          done(null, body ? JSON.parse(String(body)) : {});
        } catch {
          done(new HttpError(400, "bad request: the body is not JSON"), undefined);
        }
      });

      api.get("/meta", async (req, reply) => send(reply, Schemas.Meta, await meta(prisma, await who(req))));

      api.get("/statements", async (req, reply) => {
        const reader = await who(req);
        const table = await statementTable(prisma, reader, parse(Schemas.TableQuery, req.query), config.timeZone);
        if (table === "not_allowed") throw new HttpError(403, "an organisation you do not coordinate");
        return send(reply, Schemas.Table, table);
      });

      api.get("/statements/:id", async (req, reply) => {
        const s = await statementDetail(prisma, await who(req), statementId(req), config.timeZone);
        if (!s) throw notFound();
        return send(reply, Schemas.Statement, s);
      });

      api.post("/statements/:id/actions", async (req, reply) => {
        const reader = await who(req);
        if (reader.readOnly) throw new HttpError(403, "an API key only reads");
        const id = statementId(req);
        const res = await applyAction(prisma, reader, id, parse(Schemas.Action, req.body), now(), config.timeZone);
        if (!res.ok && res.reason === "not_allowed" && !res.statement) throw notFound();
        const status = res.ok ? 200 : res.reason === "changed" ? 409 : res.reason === "not_allowed" ? 403 : 422;
        return send(reply, Schemas.ActionResult, res, status);
      });

      api.get("/statements/:id/files/:file", async (req, reply) => {
        const reader = await who(req);
        const { file } = req.params as { file: string };
        const f = await statementFile(prisma, reader, statementId(req), file);
        if (!f) throw new HttpError(404, "no such file");
        const bytes = await opts.download(f.fileId).catch((e: Error) => {
          opts.logger.warn({ message: e.message }, "console file not downloaded");
          throw new HttpError(502, "Telegram did not give the file");
        });
        return reply
          .header("cache-control", "private, max-age=3600")
          .type(CONTENT_TYPES[f.kind] ?? "application/octet-stream")
          .send(bytes);
      });

      api.get("/analysis", async (req, reply) => {
        const a = await analysis(prisma, await who(req), parse(Schemas.Filter, req.query));
        if (a === "not_allowed") throw new HttpError(403, "an organisation you do not coordinate");
        return send(reply, Schemas.Analysis, a);
      });

      api.get("/substantiation", async (req, reply) => {
        const { org } = parse(Schemas.OrgQuery, req.query);
        const s = await substantiationSummary(prisma, await who(req), org);
        if (s === "not_allowed") throw new HttpError(403, "an organisation you do not coordinate");
        return send(reply, Schemas.Substantiation, s);
      });

      const sendExport = async (reply: FastifyReply, reader: ConsoleActor, query: unknown) => {
        const { format, ...filter } = parse(Schemas.ExportQuery, query);
        const file = await exportFiltered(prisma, reader, filter, format, config.timeZone);
        if (file === "not_allowed") throw new HttpError(403, "an organisation you do not coordinate");
        return reply
          .header("cache-control", "no-store")
          .header("content-disposition", `attachment; filename="${exportFileName(now(), format)}"`)
          .type(format === "csv" ? "text/csv; charset=utf-8" : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
          .send(file.buffer);
      };

      api.get("/export", async (req, reply) => sendExport(reply, await who(req), req.query));

      // Telegram's apps download a file from a plain URL (WebApp.downloadFile), which cannot carry
      // the init data: the page asks for a link, signed for this person and this filter, that
      // works for EXPORT_LINK_SECONDS. Whoever opens it is checked again as a coordinator.
      api.post("/export-link", async (req, reply) => {
        const reader = await who(req);
        if (reader.telegramId === undefined) throw new HttpError(403, "an API key reads /export directly");
        const { query } = parse(Schemas.ExportLinkRequest, req.body);
        const { format } = parse(Schemas.ExportQuery, queryOf(query));
        const token = signExportLink(config.botToken, { u: reader.telegramId, q: query, e: Math.floor(now().getTime() / 1000) + EXPORT_LINK_SECONDS });
        return send(reply, Schemas.ExportLink, { url: `/api/v1/download?token=${token}`, fileName: exportFileName(now(), format) });
      });

      api.get("/download", async (req, reply) => {
        const link = readExportLink(config.botToken, String((req.query as { token?: string }).token ?? ""), now());
        if (!link) throw new HttpError(403, "this download link is not valid or has expired: export again from the console");
        const reader = await consoleActorOf(prisma, { id: link.u }, config.adminTelegramIds, fallback);
        if (typeof reader === "string") throw new HttpError(403, "the console is for coordinators");
        return sendExport(reply, reader, queryOf(link.q));
      });
    },
    { prefix: "/api/v1" },
  );

  const pageDir = opts.pageDir ?? PAGE_DIR;
  if (existsSync(join(pageDir, "index.html"))) {
    fastify.register(fastifyStatic, {
      root: pageDir,
      prefix: "/console/",
      cacheControl: false,
      // Built file names carry their content's hash: cached for good; the page itself never.
      setHeaders: (res, path) => {
        res.setHeader("content-security-policy", PAGE_POLICY);
        res.setHeader("x-content-type-options", "nosniff");
        res.setHeader("referrer-policy", "no-referrer");
        res.setHeader("cache-control", path.endsWith("index.html") ? "no-cache" : "public, max-age=31536000, immutable");
      },
    });
    fastify.get("/console", (_req, reply) => reply.redirect("/console/"));
  } else {
    opts.logger.warn({ dir: pageDir }, "the console's page is not built (npm run build): only its API is served");
  }
}

/** A server with the console alone, on 127.0.0.1 (the benchmark and the tests); the bot adds the console to its own server. */
export function consoleServer(opts: ConsoleOptions, port = 0): HttpServer {
  return new HttpServer({ host: "127.0.0.1", port, healthy: () => true, logger: opts.logger, routes: (f) => registerConsole(f, opts) });
}
