/** Counts per classification dimension: the numbers behind the evaluation report's figures. */
import type { Db } from "../platform/db/client.js";
import type { Prisma } from "../generated/prisma/client.js";
import { ofOrganisation, scopeFilter, type Scope } from "../shared/access.js";
import { khmerToAsciiDigits } from "../harvest/dates.js";
import type { T } from "../platform/i18n/index.js";
import { loadDimensions, type DimensionWithOptions } from "../classification/service.js";
import { LEAD_INCLUDE, leadGapsOfRow } from "../harvest/coaching.js";
import { notADuplicate } from "../review/links.js";

/** Months as "YYYY-MM", both ends included; open ends are unbounded. */
export interface Period {
  from?: string;
  to?: string;
}

/** Reads "all", "2024", "2024-03", "2024-01..2024-06" (Khmer digits accepted). */
export function parsePeriod(input: string): Period | undefined {
  const s = khmerToAsciiDigits(input.trim());
  if (s === "" || s === "all") return {};
  const ym = (x: string, end: boolean) => {
    const m = /^(\d{4})(?:-(\d{1,2}))?$/.exec(x.trim());
    if (!m) return undefined;
    const month = m[2] ? Number(m[2]) : end ? 12 : 1;
    if (month < 1 || month > 12) return undefined;
    return `${m[1]}-${String(month).padStart(2, "0")}`;
  };
  const [a, b] = s.split(/\.\.|\s+to\s+|\s+/);
  const from = ym(a!, false);
  const to = ym(b ?? a!, true);
  if (!from || !to || from > to) return undefined;
  return { from, to };
}

/** "2024-01 to 2024-12", or "All time", in the reader's language. */
export function periodLabel(t: T, p: Period): string {
  return p.from && p.to ? t("stats.period", { from: p.from, to: p.to }) : t("stats.all_time");
}

export function periodToken(p: Period): string {
  return p.from && p.to ? `${p.from}..${p.to}` : "all";
}

/** The month a statement counts in: the month of the change when known, else of submission. */
export function statementMonth(o: { dateStart: string | null; submittedAt: Date | null; createdAt: Date }): string {
  return o.dateStart ?? (o.submittedAt ?? o.createdAt).toISOString().slice(0, 7);
}

export const inPeriod = (month: string, p: Period) => (!p.from || month >= p.from) && (!p.to || month <= p.to);

export interface DimensionStats {
  dimension: DimensionWithOptions;
  counts: Map<number, number>;
  unclassified: number;
}

/**
 * Counts per option of every dimension over the accepted statements in scope and period, and
 * (unless `leads` is false: the charts do not show them) how many are still outcome leads, which
 * needs the statements' texts.
 */
export async function classificationStats(
  prisma: Db,
  scope: Scope,
  period: Period,
  organisationId?: number,
  opts: { leads?: boolean; where?: Prisma.OutcomeWhereInput } = {},
) {
  const withLeads = opts.leads !== false;
  // A statement marked as the same change as another is counted once, with that one.
  const base: Prisma.OutcomeWhereInput = {
    status: "accepted" as const,
    discardedAt: null,
    ...notADuplicate,
    ...scopeFilter(scope),
    ...(organisationId ? ofOrganisation(organisationId) : {}),
  };
  // The console's filters narrow it further.
  const where = opts.where ? { AND: [base, opts.where] } : base;
  const rows = await prisma.outcome.findMany({
    where,
    select: {
      id: true,
      dateStart: true,
      submittedAt: true,
      createdAt: true,
      classifications: { select: { optionId: true } },
      // What decides whether it is still an outcome lead (harvest/coaching.ts leadGaps).
      description: withLeads,
      significance: withLeads,
      contribution: withLeads,
      actorName: withLeads,
      place: withLeads,
      peopleAffected: withLeads,
      ...(withLeads ? LEAD_INCLUDE : {}),
    },
  });
  const outcomes = rows.filter((o) => inPeriod(statementMonth(o), period));
  const leads = withLeads ? outcomes.filter((o) => leadGapsOfRow(o as Parameters<typeof leadGapsOfRow>[0]).length > 0).length : undefined;
  const dims = await loadDimensions(prisma);
  const result: DimensionStats[] = dims.map((d) => {
    const ids = new Set(d.options.map((o) => o.id));
    const counts = new Map<number, number>(d.options.map((o) => [o.id, 0]));
    let unclassified = 0;
    for (const o of outcomes) {
      const chosen = o.classifications.filter((c) => ids.has(c.optionId));
      if (chosen.length === 0) unclassified++;
      for (const c of chosen) counts.set(c.optionId, (counts.get(c.optionId) ?? 0) + 1);
    }
    return { dimension: d, counts, unclassified };
  });
  return { total: outcomes.length, leads, dimensions: result };
}
