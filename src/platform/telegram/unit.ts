/**
 * The unit of work of one update: everything the update changes in the database, its "handled"
 * mark and its replies commit in one transaction (see platform/telegram/inbox.ts).
 *
 * - Inside a unit, `unitPrisma` and `unitSql` route every query to the unit's transaction, so
 *   the handlers keep calling `ctx.deps.prisma` and `ctx.deps.sql` as before. A service's own
 *   `$transaction` becomes a savepoint: its typed errors still undo its writes, and a caught
 *   unique violation does not poison the update's transaction.
 * - Bot API calls that send or change something are not made during the transaction (PGlite has
 *   one connection, and a slow Telegram would stall every chat): `deferCalls` records them, with
 *   a stand-in result, and they become outbox rows of the same transaction, sent right after the
 *   commit. A handler that needs the real message id of a message it sent registers a follow-up
 *   (`afterSent`) that runs once Telegram has answered.
 *
 * AsyncLocalStorage carries the unit through the middleware and the conversation plugin without
 * passing it by hand.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { InputFile, type Transformer } from "grammy";
import type { Db } from "../db/client.js";
import type { Sql } from "../db/sql.js";
import type { Prisma } from "../../generated/prisma/client.js";

type Tx = Prisma.TransactionClient;

export interface DeferredCall {
  method: string;
  payload: Record<string, unknown>;
  /** The stand-in message id given to the handler (negative), for `afterSent`. */
  ticket?: number;
  file?: { bytes: Buffer; name: string };
  onSent?: string;
}

export class Unit {
  readonly calls: DeferredCall[] = [];
  /** The row the inbox read when it picked the update (with what the handler reads first), once. */
  picked?: { updateId: number; row: Record<string, unknown> };
  /** The handler queued messages for the send queue (platform/telegram/outbox.ts): woken after the commit. */
  queued = false;
  private tickets = 0;
  private savepoints = 0;

  constructor(
    readonly tx: Tx,
    /** The chat the update belongs to: the chat of calls that name none (answerCallbackQuery). */
    readonly chatId: number | undefined,
    /** Plain SQL in the unit's transaction (on its raw connection when the adapter offers it, db/client.ts). */
    readonly sql: Sql,
  ) {}

  async defer(method: string, payload: Record<string, unknown>): Promise<unknown> {
    const call: DeferredCall = { method, payload: { ...payload } };
    for (const [key, value] of Object.entries(payload)) {
      if (value instanceof InputFile) {
        call.file = { bytes: await fileBytes(value), name: value.filename ?? key };
        delete call.payload[key];
      }
    }
    this.calls.push(call);
    if (!method.startsWith("send")) return true;
    call.ticket = -++this.tickets;
    const chatId = Number(payload.chat_id ?? this.chatId ?? 0);
    return {
      message_id: call.ticket,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: "private" },
      text: typeof payload.text === "string" ? payload.text : undefined,
    };
  }

  /** Records `action` to run with the real message id once the message with this stand-in id is sent. */
  afterSent(ticket: number, action: string): boolean {
    const call = this.calls.find((c) => c.ticket === ticket);
    if (!call) return false;
    call.onSent = action;
    return true;
  }

  /** A nested `$transaction(fn)`: a savepoint inside the unit's transaction. */
  async savepoint<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const name = `unit_sp_${++this.savepoints}`;
    await this.tx.$executeRawUnsafe(`SAVEPOINT ${name}`);
    try {
      const result = await work(this.tx);
      await this.tx.$executeRawUnsafe(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (e) {
      await this.tx.$executeRawUnsafe(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => {});
      throw e;
    }
  }
}

const units = new AsyncLocalStorage<Unit>();

export const currentUnit = (): Unit | undefined => units.getStore();

export function runInUnit<T>(unit: Unit, work: () => Promise<T>): Promise<T> {
  return units.run(unit, work);
}

/** The Prisma client that uses the current unit's transaction when there is one. */
export function unitPrisma(base: Db): Db {
  return new Proxy(base, {
    get(target, prop) {
      const unit = units.getStore();
      if (!unit) {
        const value = Reflect.get(target, prop) as unknown;
        return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      }
      if (prop === "$transaction") {
        return (arg: unknown) =>
          typeof arg === "function"
            ? unit.savepoint(arg as (tx: Tx) => Promise<unknown>)
            : unit.savepoint(async () => {
                const out: unknown[] = [];
                for (const p of arg as Array<Promise<unknown>>) out.push(await p);
                return out;
              });
      }
      const value = Reflect.get(unit.tx, prop) as unknown;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(unit.tx) : value;
    },
  });
}

/** Plain SQL that runs in the current unit's transaction when there is one. */
export function unitSql(base: Sql): Sql {
  return {
    query<T>(text: string, params: unknown[] = []): Promise<T[]> {
      const unit = units.getStore();
      return unit ? unit.sql.query<T>(text, params) : base.query<T>(text, params);
    },
  };
}

/** The Bot API methods a unit defers until its transaction has committed. */
export const DEFERRED_METHODS = new Set([
  "sendMessage",
  "sendPhoto",
  "sendDocument",
  "sendVoice",
  "sendAudio",
  "sendVideo",
  "copyMessage",
  "editMessageText",
  "editMessageReplyMarkup",
  "editMessageCaption",
  "deleteMessage",
  "answerCallbackQuery",
  "setMyCommands",
  "setChatMenuButton",
]);

/**
 * An API transformer: inside a unit, sending calls are recorded instead of made. Any other call
 * (one that reads from Telegram) would hold the transaction open while it waits: refused, so a
 * handler that needs one is found by the tests, not in production.
 */
export function deferCalls(): Transformer {
  return async (prev, method, payload, signal) => {
    const unit = units.getStore();
    if (!unit) return prev(method, payload, signal);
    if (!DEFERRED_METHODS.has(method)) throw new Error(`Bot API call ${method} inside an update's transaction: read it before, or defer it`);
    const result = await unit.defer(method, payload as Record<string, unknown>);
    return { ok: true, result } as never;
  };
}

async function fileBytes(file: InputFile): Promise<Buffer> {
  const raw = await file.toRaw();
  if (raw instanceof Uint8Array) return Buffer.from(raw);
  if (typeof raw === "string") throw new Error("a file given by path or URL cannot be queued");
  const chunks: Uint8Array[] = [];
  for await (const c of raw as AsyncIterable<Uint8Array>) chunks.push(c);
  return Buffer.concat(chunks);
}
