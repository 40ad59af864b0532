/**
 * Typed callback data: each button's data is defined once, as a prefix and named fields, and
 * that one definition builds the button's data, matches the handler and reads the fields back.
 *
 * Hand-written rather than the `callback-data` package: that one keeps every field a string and
 * checks nothing; here a field is a number, a word, one of a list, or a token, and data that does
 * not fit (forged, or from an older version of the bot) matches no handler at all. The access
 * matrix forges rows with the same definitions. Telegram allows at most 64 bytes.
 */
import type { CallbackQueryContext, Composer, Context } from "grammy";

/** How one field is written in the data and read back. */
export interface Field<V> {
  /** The field's part of the pattern (one capturing group). */
  readonly pattern: string;
  read(text: string): V | undefined;
  write(value: V): string;
}

/** A whole number, 0 or more. */
export const int: Field<number> = {
  pattern: "(\\d{1,15})",
  read: (s) => Number(s),
  write: (n) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a whole number for callback data: ${n}`);
    return String(n);
  },
};

/** A word of letters, digits and underscores (a role, a status, a field name): checked by the handler. */
export const word: Field<string> = {
  pattern: "(\\w+)",
  read: (s) => s,
  write: (s) => {
    if (!/^\w+$/.test(s)) throw new Error(`not a word for callback data: ${s}`);
    return s;
  },
};

/** A token (letters, digits, _ and -): a nonce or a language code. */
export const token: Field<string> = {
  pattern: "([\\w-]+)",
  read: (s) => s,
  write: (s) => {
    if (!/^[\w-]+$/.test(s)) throw new Error(`not a token for callback data: ${s}`);
    return s;
  },
};

/** One of a fixed list of words: anything else does not match. */
export function oneOf<const V extends string>(values: readonly V[]): Field<V> {
  return {
    pattern: `(${values.join("|")})`,
    read: (s) => ((values as readonly string[]).includes(s) ? (s as V) : undefined),
    write: (v) => v,
  };
}

/** A yes/no flag, written 1 or 0. */
export const flag: Field<boolean> = {
  pattern: "([01])",
  read: (s) => s === "1",
  write: (b) => (b ? "1" : "0"),
};

type Fields = Record<string, Field<unknown>>;
export type ValuesOf<F extends Fields> = { [K in keyof F]: F[K] extends Field<infer V> ? V : never };

export interface CallbackData<F extends Fields> {
  readonly prefix: string;
  /** Matches exactly this definition's data (for `composer.callbackQuery`). */
  readonly pattern: RegExp;
  /** The data of a button. */
  data(values: ValuesOf<F>): string;
  /** The fields of data matched by `pattern` (ctx.match), or undefined when they do not fit. */
  read(match: RegExpMatchArray | string | null | undefined): ValuesOf<F> | undefined;
}

const MAX_BYTES = 64;

/** Defines the data of one kind of button: `callbackData("rv:o", { id: int })` is "rv:o:<id>". */
export function callbackData<const F extends Fields>(prefix: string, fields: F): CallbackData<F> {
  const names = Object.keys(fields);
  const parts = names.map((n) => fields[n]!.pattern);
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`^${[escaped, ...parts].join(":")}$`);
  return {
    prefix,
    pattern,
    data(values) {
      const text = [prefix, ...names.map((n) => fields[n]!.write((values as Record<string, unknown>)[n]))].join(":");
      if (Buffer.byteLength(text) > MAX_BYTES) throw new Error(`callback data longer than ${MAX_BYTES} bytes: ${text}`);
      return text;
    },
    read(match) {
      const m = typeof match === "string" || match === null || match === undefined ? pattern.exec(match ?? "") : match;
      if (!m) return undefined;
      const out: Record<string, unknown> = {};
      for (const [i, n] of names.entries()) {
        const v = fields[n]!.read(m[i + 1] ?? "");
        if (v === undefined) return undefined;
        out[n] = v;
      }
      return out as ValuesOf<F>;
    },
  };
}

/**
 * Registers the handler of one kind of button on a composer: it gets the fields, typed. Data that
 * matches the pattern but whose fields do not fit goes on to the next handler.
 */
export function onButton<C extends Context, F extends Fields>(
  composer: Composer<C>,
  def: CallbackData<F>,
  handler: (ctx: CallbackQueryContext<C>, data: ValuesOf<F>) => unknown,
): void {
  composer.callbackQuery(def.pattern, async (ctx, next) => {
    const data = def.read(ctx.match);
    if (!data) return next();
    await handler(ctx, data);
  });
}
