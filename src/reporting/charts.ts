/**
 * Charts of the evaluation's figures, drawn from live data: one horizontal bar chart per
 * dimension, rendered server-side (Vega-Lite → SVG → PNG with resvg) with a Khmer font shipped
 * as an npm package, so Khmer labels are shaped correctly.
 */
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inflateSync } from "node:zlib";
// vega, vega-lite and resvg are large: loaded on the first chart, not at start-up.
import type { TopLevelSpec } from "vega-lite";
import type { Db } from "../platform/db/client.js";
import type { Prisma } from "../generated/prisma/client.js";
import { translator, type Lang } from "../platform/i18n/index.js";
import type { Scope } from "../shared/access.js";
import { label } from "../classification/service.js";
import { htmlToText } from "../platform/telegram/html.js";
import { percentOf } from "./percent.js";
import { classificationStats, type DimensionStats, type Period } from "./stats.js";

export const CHART_WIDTH = 800;
export const FONT_FAMILY = "Noto Sans Khmer";

/** The key of the chart that draws "expected" and "positive" together, as the evaluation report does. */
export const NATURE = "nature";

export interface Bar {
  label: string;
  count: number;
  /** What the percentage is of: the statements classified in the bar's dimension. */
  base: number;
  /** Rounded percentage of `base` (0 when the base is 0). */
  percent: number;
}

export interface ChartData {
  /** The dimension's key, or "nature". */
  key: string;
  title: string;
  /** Says what the percentages are of, in the reader's language. */
  subtitle: string;
  bars: Bar[];
  /** Accepted statements in scope and period. */
  total: number;
}

/**
 * The numbers behind each chart: one per active dimension, in the dimensions' order, so a
 * dimension the programme adds is drawn too. "expected" and "positive" are drawn together as
 * the nature of the change (expected, unexpected, negative). Each bar's percentage is of the
 * statements classified in its dimension, not of every statement: "22 of 36 classified, 61%".
 */
export async function chartData(
  prisma: Db,
  scope: Scope,
  period: Period,
  lang: Lang,
  organisationId?: number,
  where?: Prisma.OutcomeWhereInput,
): Promise<ChartData[]> {
  const t = translator(lang);
  const stats = await classificationStats(prisma, scope, period, organisationId, { leads: false, where });
  const byKey = new Map(stats.dimensions.map((d) => [d.dimension.key, d]));
  const bars = (d: DimensionStats, only?: string[]): Bar[] => {
    const base = stats.total - d.unclassified;
    return d.dimension.options
      .filter((o) => !only || only.includes(o.key))
      .map((o) => {
        const count = d.counts.get(o.id) ?? 0;
        return { label: label(o, lang), count, base, percent: percentOf(count, base) };
      });
  };
  const subtitle = (drawn: Bar[]) => {
    const bases = new Set(drawn.map((b) => b.base));
    return bases.size === 1 ? t("charts.base", { n: [...bases][0]!, total: stats.total }) : t("charts.base_mixed", { n: stats.total });
  };
  const charts: ChartData[] = [];
  const expected = byKey.get("expected");
  const positive = byKey.get("positive");
  for (const d of stats.dimensions) {
    const key = d.dimension.key;
    if (expected && positive && (key === "expected" || key === "positive")) {
      if (key === "positive") continue;
      const drawn = [...bars(expected, ["expected", "unexpected"]), ...bars(positive, ["negative"])];
      charts.push({ key: NATURE, title: t("charts.nature"), subtitle: subtitle(drawn), bars: drawn, total: stats.total });
      continue;
    }
    const drawn = bars(d);
    charts.push({ key, title: label(d.dimension, lang), subtitle: subtitle(drawn), bars: drawn, total: stats.total });
  }
  return charts;
}

/** Noto Sans Khmer (Khmer and Latin) as TTF: resvg reads TrueType, the package ships WOFF. */
export function fontFile(): string {
  const target = join(tmpdir(), "outcome-harvest-fonts", "NotoSansKhmer-Regular.ttf");
  if (existsSync(target)) return target;
  const require = createRequire(import.meta.url);
  const woff = readFileSync(require.resolve("@fontsource/noto-sans-khmer/files/noto-sans-khmer-khmer-400-normal.woff"));
  mkdirSync(join(tmpdir(), "outcome-harvest-fonts"), { recursive: true });
  const tmp = `${target}.${process.pid}`;
  writeFileSync(tmp, woffToSfnt(woff));
  renameSync(tmp, target); // atomic: another process never reads a half-written font
  return target;
}

/** WOFF 1.0 is zlib-compressed sfnt tables; this rebuilds the plain font file. */
export function woffToSfnt(woff: Buffer): Buffer {
  if (woff.toString("latin1", 0, 4) !== "wOFF") throw new Error("not a WOFF font");
  const flavor = woff.readUInt32BE(4);
  const numTables = woff.readUInt16BE(12);
  const tables = Array.from({ length: numTables }, (_, i) => {
    const o = 44 + i * 20;
    const offset = woff.readUInt32BE(o + 4);
    const compLength = woff.readUInt32BE(o + 8);
    const origLength = woff.readUInt32BE(o + 12);
    const raw = woff.subarray(offset, offset + compLength);
    return { tag: woff.readUInt32BE(o), checksum: woff.readUInt32BE(o + 16), origLength, data: compLength < origLength ? inflateSync(raw) : raw };
  });
  let size = 12 + 16 * numTables;
  const offsets = tables.map((tb) => {
    const at = size;
    size += (tb.data.length + 3) & ~3;
    return at;
  });
  const out = Buffer.alloc(size);
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  let selector = 0;
  while (1 << (selector + 1) <= numTables) selector++;
  const range = (1 << selector) * 16;
  out.writeUInt16BE(range, 6);
  out.writeUInt16BE(selector, 8);
  out.writeUInt16BE(numTables * 16 - range, 10);
  tables.forEach((tb, i) => {
    const o = 12 + i * 16;
    out.writeUInt32BE(tb.tag, o);
    out.writeUInt32BE(tb.checksum, o + 4);
    out.writeUInt32BE(offsets[i]!, o + 8);
    out.writeUInt32BE(tb.origLength, o + 12);
    tb.data.copy(out, offsets[i]!);
  });
  return out;
}

/** One chart as PNG: bars with their counts, the title and the base. */
export async function renderChart(chart: ChartData, lang: Lang): Promise<Buffer> {
  const t = translator(lang);
  const spec: TopLevelSpec = {
    width: CHART_WIDTH - 320,
    background: "white",
    padding: 16,
    title: { text: chart.title, subtitle: htmlToText(chart.subtitle), font: FONT_FAMILY, subtitleFont: FONT_FAMILY, fontSize: 18, anchor: "start" },
    config: { font: FONT_FAMILY, axis: { labelFont: FONT_FAMILY, titleFont: FONT_FAMILY, labelFontSize: 13, labelLimit: 0 } },
    // Each bar says its count, of what, and the percentage: "22 of 36 (61%)".
    data: { values: chart.bars.map((b) => ({ ...b, text: htmlToText(t("charts.bar", { n: b.count, base: b.base, percent: b.percent })) })) },
    encoding: {
      y: { field: "label", type: "nominal", sort: null, title: null },
      x: { field: "count", type: "quantitative", title: t("charts.statements"), axis: { tickMinStep: 1, format: "d" } },
    },
    layer: [
      { mark: { type: "bar", color: "#2a7f62" } },
      { mark: { type: "text", align: "left", dx: 4, font: FONT_FAMILY, fontSize: 13 }, encoding: { text: { field: "text", type: "nominal" } } },
    ],
  };
  const [vega, { compile }, { Resvg }] = await Promise.all([import("vega"), import("vega-lite"), import("@resvg/resvg-js")]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    font: { fontFiles: [fontFile()], loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: "width", value: CHART_WIDTH },
  }).render();
  return Buffer.from(png.asPng());
}

/** Width and height of a PNG, from its header. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.toString("latin1", 1, 4) !== "PNG") throw new Error("not a PNG");
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
