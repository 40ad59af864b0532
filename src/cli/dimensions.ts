/** npm run cli -- dimension list | add | add-option | label | disable | enable | multiple | single */
import { parseArgs } from "node:util";
import {
  addDimension,
  addOption,
  DimensionError,
  findDimension,
  findOption,
  loadDimensions,
  relabel,
  setDimensionMultiple,
  setOptionActive,
} from "../classification/service.js";
import type { Database } from "../platform/db/client.js";
import { type Command, type Io, UsageError } from "./command.js";

type Parsed = { positionals: string[]; labels: Record<string, string>; multiple: boolean };

function parse(args: string[]): Parsed {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { en: { type: "string" }, km: { type: "string" }, multiple: { type: "boolean", default: false } },
  });
  const labels = Object.fromEntries(
    Object.entries({ en: values.en, km: values.km })
      .filter(([, x]) => x?.trim())
      .map(([k, x]) => [k, x!.trim()]),
  );
  return { positionals, labels, multiple: Boolean(values.multiple) };
}

/** A dimension command: the classification service's refusals are usage errors here. */
const dimension = (action: string, usage: string, run: (db: Database, p: Parsed, io: Io) => Promise<void>): Command => ({
  words: ["dimension", action],
  usage,
  async run(db, args, io) {
    try {
      await run(db, parse(args), io);
    } catch (e) {
      if (e instanceof DimensionError) throw new UsageError(e.message);
      throw e;
    }
  },
});

const switchOption = (action: "disable" | "enable") =>
  dimension(action, "<dimension> <option>", async ({ prisma }, { positionals: [dim, opt] }, io) => {
    if (!dim || !opt) throw new UsageError(`dimension ${action} needs a dimension and an option`);
    const o = await findOption(prisma, dim, opt);
    await setOptionActive(prisma, o.id, action === "enable");
    io.print(`${dim}/${opt} ${action}d`);
  });

const switchChoice = (action: "multiple" | "single") =>
  dimension(action, "<dimension>", async ({ prisma }, { positionals: [dim] }, io) => {
    if (!dim) throw new UsageError(`dimension ${action} needs a dimension`);
    const res = await setDimensionMultiple(prisma, dim, action === "multiple");
    if (res.status === "several_chosen")
      throw new DimensionError(`${dim} stays multiple: ${res.statements} statement(s) have several of its options; choose one for each first`);
    io.print(
      res.status === "changed" ? `${dim}: ${action === "multiple" ? "several options may apply" : "one option per statement"}` : `${dim} was already ${action}`,
    );
  });

export const dimensionCommands: Command[] = [
  dimension("list", "", async ({ prisma }, _p, io) => {
    for (const d of await loadDimensions(prisma, { includeInactive: true })) {
      io.print(`${d.key}${d.multiple ? " (several)" : ""}${d.active ? "" : " [off]"}: ${JSON.stringify(d.labels)}`);
      for (const o of d.options) io.print(`  ${o.key}${o.active ? "" : " [off]"}: ${JSON.stringify(o.labels)}`);
    }
  }),
  dimension("add", '<key> --en "<label>" [--km "<label>"] [--multiple]', async ({ prisma }, { positionals, labels, multiple }, io) => {
    if (!positionals[0] || !labels.en) throw new UsageError("dimension add needs a key and --en");
    const d = await addDimension(prisma, { key: positionals[0], labels, multiple });
    io.print(`added dimension ${d.key}`);
  }),
  dimension("add-option", '<dimension> [<key>] --en "<label>" [--km "<label>"]', async ({ prisma }, { positionals, labels }, io) => {
    if (!positionals[0] || !labels.en) throw new UsageError("dimension add-option needs a dimension and --en");
    const o = await addOption(prisma, { dimension: positionals[0], key: positionals[1], labels });
    io.print(`added option ${o.key} to ${positionals[0]}`);
  }),
  dimension("label", '<dimension> [<option>] [--en "<label>"] [--km "<label>"]', async ({ prisma }, { positionals, labels }, io) => {
    if (!positionals[0] || Object.keys(labels).length === 0) throw new UsageError("dimension label needs a dimension and --en or --km");
    if (positionals[1]) await relabel(prisma, { kind: "option", id: (await findOption(prisma, positionals[0], positionals[1])).id }, labels);
    else await relabel(prisma, { kind: "dimension", id: (await findDimension(prisma, positionals[0])).id }, labels);
    io.print("labels changed");
  }),
  switchOption("disable"),
  switchOption("enable"),
  switchChoice("multiple"),
  switchChoice("single"),
];
