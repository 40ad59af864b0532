/**
 * i18next, set up for a bot: every locale file read at start, interpolation HTML-escaped
 * (messages are HTML), Khmer digits in Khmer messages. Hand-written glue rather than
 * @grammyjs/i18n: that plugin is built on Fluent, not i18next (which the brief names), and the
 * send queue, the digests and the command line need a translator outside any update's context.
 */
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type i18n, type Resource, type TOptions } from "i18next";
import { escapeHtml } from "../telegram/html.js";
import { asciiToKhmerDigits } from "./digits.js";

export const LANGUAGES = ["en", "km"] as const;
export type Lang = (typeof LANGUAGES)[number];
export const isLang = (s: unknown): s is Lang => typeof s === "string" && (LANGUAGES as readonly string[]).includes(s);

export const LOCALES_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "locales");

/** Reads every locales/<lang>/*.json file into i18next resources (namespace = file name). */
export function loadResources(dir = LOCALES_DIR): Record<string, Record<string, unknown>> {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const lang of readdirSync(dir)) {
    resources[lang] = {};
    for (const file of readdirSync(join(dir, lang)).filter((f) => f.endsWith(".json"))) {
      resources[lang][file.replace(/\.json$/, "")] = JSON.parse(readFileSync(join(dir, lang, file), "utf8"));
    }
  }
  return resources;
}

let instance: i18n | undefined;

function getI18n(): i18n {
  if (!instance) {
    instance = i18next.createInstance();
    void instance.init({
      resources: loadResources() as Resource,
      fallbackLng: "en",
      defaultNS: "translation",
      initAsync: false,
      returnNull: false,
      // Every interpolated value is HTML-escaped for Telegram's HTML parse mode.
      // Use {{- name}} only for values that are already safe HTML.
      interpolation: { escapeValue: true, escape: escapeHtml },
    });
  }
  return instance;
}

export type T = (key: string, params?: TOptions) => string;

/**
 * A translator bound to one language. In Khmer, numbers are written with Khmer digits. `count`
 * chooses the plural form and must stay a number, so strings show it as {{n}}: `n` is filled
 * from `count` when not given (test/i18n.test.ts refuses a {{count}} in any string).
 */
export function translator(lang: Lang): T {
  let t = translators.get(lang);
  if (!t) {
    const fixed = getI18n().getFixedT(lang);
    // A string without parameters is looked up once: the same labels and questions are asked for
    // on every update, and i18next resolves each key anew (a few per cent of a harvest step).
    const plain = new Map<string, string>();
    t = (key, params) => {
      if (params) return fixed(key, withNumbers(params, lang)) as string;
      let s = plain.get(key);
      if (s === undefined) {
        s = fixed(key) as string;
        plain.set(key, s);
      }
      return s;
    };
    translators.set(lang, t);
  }
  return t;
}

const translators = new Map<Lang, T>();

function withNumbers(params: TOptions, lang: Lang): TOptions {
  const fillN = typeof params.count === "number" && params.n === undefined;
  if (!fillN && lang !== "km") return params;
  const out: Record<string, unknown> = { ...params };
  if (fillN) out.n = params.count;
  if (lang === "km") for (const [k, v] of Object.entries(out)) if (typeof v === "number" && k !== "count") out[k] = asciiToKhmerDigits(String(v));
  return out as TOptions;
}

export function t(lang: Lang, key: string, params?: TOptions): string {
  return translator(lang)(key, params);
}
