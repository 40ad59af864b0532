/**
 * The console's API, as zod schemas: what each request may carry (checked before a service is
 * called) and what each answer holds (checked before it is sent, so no field outside these leaves
 * the server). The page imports only the types.
 */
import { z } from "zod";

const id = z.coerce.number().int().positive().max(2_147_483_647);
/** A query parameter given once or several times. */
const many = <T extends z.ZodTypeAny>(item: T) => z.preprocess((v) => (v === undefined || v === "" ? [] : Array.isArray(v) ? v : [v]), z.array(item).max(50));
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month as YYYY-MM");

export const STATUSES = ["submitted", "needs_clarification", "returned", "accepted", "rejected"] as const;
export const SORTS = ["id", "status", "organisation", "date", "harvested", "author"] as const;
export const PAGE_SIZES = [25, 50, 100] as const;

/** Which statements: every filter of the table, the charts and the export. */
export const Filter = z.object({
  org: many(id),
  status: many(z.enum(STATUSES)),
  round: id.optional(),
  from: month.optional(),
  to: month.optional(),
  question: id.optional(),
  /** Dimension options: a statement must have each one. */
  option: many(id),
  /** Words in any part (Khmer too), the reference or the author. */
  q: z.string().trim().max(200).optional(),
});
export type Filter = z.infer<typeof Filter>;

export const TableQuery = Filter.extend({
  sort: z.enum(SORTS).default("id"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  page: z.coerce.number().int().min(0).max(100_000).default(0),
  size: z.coerce
    .number()
    .int()
    .refine((n) => (PAGE_SIZES as readonly number[]).includes(n), "25, 50 or 100")
    .default(50),
});
export type TableQuery = z.infer<typeof TableQuery>;

export const ExportQuery = Filter.extend({ format: z.enum(["xlsx", "csv"]).default("xlsx") });

const label = z.object({ id: z.number(), key: z.string(), label: z.string() });

export const Meta = z.object({
  me: z.object({ name: z.string(), lang: z.string(), role: z.enum(["admin", "coordinator", "programme", "api"]) }),
  strings: z.record(z.string(), z.unknown()),
  organisations: z.array(z.object({ id: z.number(), name: z.string() })),
  statuses: z.array(z.object({ key: z.enum(STATUSES), label: z.string() })),
  rounds: z.array(z.object({ id: z.number(), name: z.string() })),
  questions: z.array(z.object({ id: z.number(), text: z.string(), round: z.string() })),
  dimensions: z.array(label.extend({ multiple: z.boolean(), options: z.array(label) })),
  fields: z.array(z.object({ key: z.string(), label: z.string(), long: z.boolean() })),
});
export type Meta = z.infer<typeof Meta>;

export const Row = z.object({
  id: z.number(),
  ref: z.string(),
  organisations: z.array(z.string()),
  author: z.string(),
  status: z.enum(STATUSES),
  date: z.string(),
  harvested: z.string(),
  description: z.string(),
  lead: z.boolean(),
  substantiation: z.enum(["none", "requested", "in_progress", "done"]),
  /** Option ids chosen, per dimension id. */
  classes: z.record(z.string(), z.array(z.number())),
  version: z.number(),
});
export type Row = z.infer<typeof Row>;

export const Table = z.object({ total: z.number(), page: z.number(), pages: z.number(), size: z.number(), rows: z.array(Row) });
export type Table = z.infer<typeof Table>;

const message = z.object({ id: z.number(), kind: z.string(), author: z.string(), text: z.string(), at: z.string(), file: z.string().nullable() });

export const Statement = z.object({
  id: z.number(),
  ref: z.string(),
  version: z.number(),
  status: z.enum(STATUSES),
  statusLabel: z.string(),
  language: z.string(),
  organisation: z.object({ id: z.number(), name: z.string() }),
  author: z.string(),
  submitted: z.string(),
  parts: z.array(z.object({ key: z.string(), label: z.string(), text: z.string(), editable: z.boolean() })),
  gaps: z.array(z.string()),
  evidence: z.array(z.object({ id: z.number(), part: z.string(), kind: z.string(), url: z.string() })),
  classes: z.record(z.string(), z.array(z.number())),
  canClassify: z.boolean(),
  actions: z.array(z.enum(["accept", "ask", "return", "reject"])),
  canEdit: z.boolean(),
  thread: z.array(message),
  history: z.array(z.object({ at: z.string(), text: z.string() })),
  links: z.object({ same: z.number().nullable(), sameAsThis: z.array(z.number()), ledTo: z.array(z.number()), ledFrom: z.array(z.number()) }),
  contributors: z.array(z.object({ id: z.number(), name: z.string(), on: z.boolean() })),
  questions: z.array(z.object({ id: z.number(), text: z.string(), on: z.boolean() })),
  substantiation: z
    .object({
      state: z.string(),
      sources: z.array(
        z.object({
          id: z.number(),
          name: z.string(),
          status: z.string(),
          offline: z.boolean(),
          answers: z.array(z.object({ part: z.string(), level: z.string() })),
        }),
      ),
    })
    .nullable(),
});
export type Statement = z.infer<typeof Statement>;

const version = z.number().int().min(0);
const text = z.string().trim().min(1).max(4000);

/** What a coordinator does to one statement; every action names the version they saw. */
export const Action = z.discriminatedUnion("type", [
  z.object({ type: z.literal("accept"), version }),
  z.object({ type: z.literal("reject"), version, text: text.optional() }),
  z.object({ type: z.enum(["ask", "return"]), version, text }),
  z.object({ type: z.literal("edit"), version, field: z.string(), text }),
  z.object({ type: z.literal("classify"), version, option: z.number().int().positive(), on: z.boolean() }),
  z.object({ type: z.literal("link"), version, other: z.number().int().positive(), kind: z.enum(["same", "led_to", "led_from"]) }),
  z.object({ type: z.literal("contributor"), version, organisation: z.number().int().positive(), on: z.boolean() }),
  z.object({ type: z.literal("question"), version, question: z.number().int().positive(), on: z.boolean() }),
  z.object({ type: z.literal("offline"), version, text }),
]);
export type Action = z.infer<typeof Action>;

export const ActionResult = z.object({
  ok: z.boolean(),
  /** Why not: changed (someone acted meanwhile), not_allowed, invalid (with a message). */
  reason: z.string().optional(),
  message: z.string().optional(),
  statement: Statement.optional(),
});
export type ActionResult = z.infer<typeof ActionResult>;

export const Chart = z.object({
  key: z.string(),
  title: z.string(),
  subtitle: z.string(),
  total: z.number(),
  bars: z.array(z.object({ label: z.string(), count: z.number(), base: z.number(), percent: z.number() })),
});

export const Analysis = z.object({
  total: z.number(),
  charts: z.array(Chart),
  /** Changes over time by social actor: months (YYYY-MM), actor types and counts[actor][month]. */
  map: z.object({
    months: z.array(z.string()),
    monthLabels: z.array(z.string()),
    actors: z.array(z.object({ key: z.string(), label: z.string(), counts: z.array(z.number()) })),
  }),
});
export type Analysis = z.infer<typeof Analysis>;

export const Substantiation = z.object({
  accepted: z.number(),
  headline: z.string(),
  proposal: z.array(z.object({ id: z.number(), description: z.string(), reasons: z.array(z.string()) })),
  chosen: z.array(
    z.object({
      id: z.number(),
      description: z.string(),
      state: z.string(),
      /** Each source's answer per part (per source: the results by source). */
      sources: z.array(
        z.object({ name: z.string(), status: z.string(), reminders: z.number(), answers: z.array(z.object({ part: z.string(), level: z.string() })) }),
      ),
      /** How many answers, over the parts and the sources, at each level of agreement. */
      counts: z.record(z.string(), z.number()),
    }),
  ),
});
export type Substantiation = z.infer<typeof Substantiation>;

export const StatementParams = z.object({ id });
export const ExportLinkRequest = z.object({ query: z.string().max(2000) });
export const ExportLink = z.object({ url: z.string(), fileName: z.string() });
export type ExportLink = z.infer<typeof ExportLink>;
export const OrgQuery = z.object({ org: id.optional() });
