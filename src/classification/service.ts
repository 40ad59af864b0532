/**
 * Classification of accepted statements along the programme's dimensions. The dimensions and
 * their options are rows (seeded by migration 0002 with the last evaluation's set); coordinators
 * and the CLI change them.
 */
import type { Db } from "../platform/db/client.js";
import type { Outcome, Prisma } from "../generated/prisma/client.js";

type Tx = Prisma.TransactionClient;

import { type DimensionWithOptions, label } from "./views.js";

export { label, type DimensionWithOptions };

export async function loadDimensions(prisma: Db | Tx, opts: { includeInactive?: boolean } = {}): Promise<DimensionWithOptions[]> {
  const active = opts.includeInactive ? {} : { active: true };
  return prisma.dimension.findMany({
    where: active,
    orderBy: [{ position: "asc" }, { id: "asc" }],
    include: { options: { where: active, orderBy: [{ position: "asc" }, { id: "asc" }] } },
  });
}

/** Option keys chosen per dimension key for one statement. */
export async function chosenOptions(prisma: Db | Tx, outcomeId: number): Promise<Map<number, Set<number>>> {
  const rows = await prisma.classification.findMany({ where: { outcomeId }, include: { option: true } });
  const out = new Map<number, Set<number>>();
  for (const r of rows) {
    if (!out.has(r.option.dimensionId)) out.set(r.option.dimensionId, new Set());
    out.get(r.option.dimensionId)!.add(r.optionId);
  }
  return out;
}

async function optionKeys(tx: Tx, outcomeId: number, dimensionId: number): Promise<string> {
  const rows = await tx.classification.findMany({ where: { outcomeId, option: { dimensionId } }, include: { option: true } });
  return rows
    .map((r) => r.option.key)
    .sort()
    .join(",");
}

export type SetOptionResult = { status: "ok"; changed: boolean } | { status: "not_accepted" | "unknown_option" };

/**
 * Selects or unselects one option. Idempotent: the button says which state it sets, so a double
 * press does not undo itself. In a single-choice dimension, selecting replaces the other option.
 */
export async function setOption(prisma: Db, input: { outcomeId: number; optionId: number; selected: boolean; actorId: number }): Promise<SetOptionResult> {
  return prisma.$transaction(async (tx) => {
    const o = await tx.outcome.findFirst({ where: { id: input.outcomeId, status: "accepted", discardedAt: null } });
    if (!o) return { status: "not_accepted" };
    const option = await tx.dimensionOption.findFirst({ where: { id: input.optionId, active: true }, include: { dimension: true } });
    if (!option?.dimension.active) return { status: "unknown_option" };
    const before = await optionKeys(tx, o.id, option.dimensionId);
    if (input.selected) {
      if (!option.dimension.multiple) {
        await tx.classification.deleteMany({ where: { outcomeId: o.id, option: { dimensionId: option.dimensionId }, optionId: { not: option.id } } });
      }
      await tx.classification.createMany({ data: [{ outcomeId: o.id, optionId: option.id, createdById: input.actorId }], skipDuplicates: true });
    } else {
      await tx.classification.deleteMany({ where: { outcomeId: o.id, optionId: option.id } });
    }
    const after = await optionKeys(tx, o.id, option.dimensionId);
    if (after === before) return { status: "ok", changed: false };
    await tx.outcomeEvent.create({
      data: { outcomeId: o.id, actorId: input.actorId, type: "classified", field: option.dimension.key, oldValue: before || null, newValue: after || null },
    });
    return { status: "ok", changed: true };
  });
}

/** On acceptance: the leader's own answers pre-fill actor type, expected and positive (the coordinator can correct them). */
export async function prefillClassification(tx: Tx, o: Outcome, actorId: number) {
  const wanted: Array<[string, string | null]> = [
    ["social_actor", o.actorType],
    ["expected", o.expected === null ? null : o.expected ? "expected" : "unexpected"],
    ["positive", o.positive === null ? null : o.positive ? "positive" : "negative"],
  ];
  for (const [dimKey, optKey] of wanted) {
    if (!optKey) continue;
    const option = await tx.dimensionOption.findFirst({ where: { key: optKey, active: true, dimension: { key: dimKey, active: true } } });
    if (!option) continue;
    if ((await tx.classification.count({ where: { outcomeId: o.id, option: { dimensionId: option.dimensionId } } })) > 0) continue;
    await tx.classification.create({ data: { outcomeId: o.id, optionId: option.id, createdById: actorId } });
    await tx.outcomeEvent.create({
      data: { outcomeId: o.id, actorId, type: "classified", field: dimKey, oldValue: null, newValue: optKey },
    });
  }
}

// --- Changing the dimensions (bot and CLI) ---

export const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40);

export class DimensionError extends Error {}

export async function findDimension(prisma: Db, ref: string | number) {
  const d = typeof ref === "number" ? await prisma.dimension.findUnique({ where: { id: ref } }) : await prisma.dimension.findUnique({ where: { key: ref } });
  if (!d) throw new DimensionError(`no dimension "${ref}"`);
  return d;
}

export async function addDimension(prisma: Db, input: { key: string; labels: Record<string, string>; multiple: boolean }) {
  const key = slug(input.key);
  if (!key) throw new DimensionError("the dimension needs a key of letters or digits");
  if (await prisma.dimension.findUnique({ where: { key } })) throw new DimensionError(`dimension "${key}" already exists`);
  const max = await prisma.dimension.aggregate({ _max: { position: true } });
  return prisma.dimension.create({ data: { key, labels: input.labels, multiple: input.multiple, position: (max._max.position ?? 0) + 1 } });
}

export async function addOption(prisma: Db, input: { dimension: string | number; key?: string; labels: Record<string, string> }) {
  const d = await findDimension(prisma, input.dimension);
  const key = slug(input.key ?? input.labels.en ?? "");
  if (!key) throw new DimensionError("the option needs a key (or an English label to make one from)");
  const existing = await prisma.dimensionOption.findUnique({ where: { dimensionId_key: { dimensionId: d.id, key } } });
  if (existing) {
    if (existing.active) throw new DimensionError(`option "${key}" already exists in "${d.key}"`);
    return prisma.dimensionOption.update({ where: { id: existing.id }, data: { active: true, labels: { ...(existing.labels as object), ...input.labels } } });
  }
  const max = await prisma.dimensionOption.aggregate({ where: { dimensionId: d.id }, _max: { position: true } });
  return prisma.dimensionOption.create({ data: { dimensionId: d.id, key, labels: input.labels, position: (max._max.position ?? 0) + 1 } });
}

export type ChoiceChange = { status: "changed" | "unchanged" } | { status: "several_chosen"; statements: number };

/**
 * Lets a dimension take several options per statement, or only one. Every value is kept: so a
 * dimension becomes single-choice only while no statement has two of its options (the refusal
 * says how many have).
 */
export async function setDimensionMultiple(prisma: Db, dimension: string | number, multiple: boolean): Promise<ChoiceChange> {
  const d = await findDimension(prisma, dimension);
  if (d.multiple === multiple) return { status: "unchanged" };
  if (!multiple) {
    const rows = await prisma.classification.findMany({ where: { option: { dimensionId: d.id } }, select: { outcomeId: true } });
    const perStatement = new Map<number, number>();
    for (const r of rows) perStatement.set(r.outcomeId, (perStatement.get(r.outcomeId) ?? 0) + 1);
    const statements = [...perStatement.values()].filter((n) => n > 1).length;
    if (statements > 0) return { status: "several_chosen", statements };
  }
  // Compare-and-set: a concurrent switch the other way is not overwritten.
  const { count } = await prisma.dimension.updateMany({ where: { id: d.id, multiple: !multiple }, data: { multiple } });
  return { status: count === 1 ? "changed" : "unchanged" };
}

/** Options are switched off, never deleted: statements classified with them keep their history. */
export async function setOptionActive(prisma: Db, optionId: number, active: boolean) {
  return prisma.dimensionOption.update({ where: { id: optionId }, data: { active } });
}

export async function findOption(prisma: Db, dimension: string, key: string) {
  const d = await findDimension(prisma, dimension);
  const o = await prisma.dimensionOption.findUnique({ where: { dimensionId_key: { dimensionId: d.id, key } } });
  if (!o) throw new DimensionError(`no option "${key}" in "${d.key}"`);
  return o;
}

export async function relabel(prisma: Db, target: { kind: "dimension" | "option"; id: number }, labels: Record<string, string>) {
  if (target.kind === "dimension") {
    const d = await prisma.dimension.findUniqueOrThrow({ where: { id: target.id } });
    return prisma.dimension.update({ where: { id: d.id }, data: { labels: { ...(d.labels as object), ...labels } } });
  }
  const o = await prisma.dimensionOption.findUniqueOrThrow({ where: { id: target.id } });
  return prisma.dimensionOption.update({ where: { id: o.id }, data: { labels: { ...(o.labels as object), ...labels } } });
}

export function findDimensionById(prisma: Db, id: number) {
  return prisma.dimension.findUnique({ where: { id } });
}

export function findOptionById(prisma: Db, id: number) {
  return prisma.dimensionOption.findUnique({ where: { id } });
}
