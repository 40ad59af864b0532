/** npm run cli -- round create | round list | round question */
import { parseArgs } from "node:util";
import { addQuestion } from "../harvest/questions.js";
import { zoned } from "../reporting/schedule.js";
import { type Command, findOrg, UsageError } from "./command.js";

export const roundCommands: Command[] = [
  {
    words: ["round", "create"],
    usage: '"<name>" --start 2026-01-01 --end 2026-03-31 [--org <id|name> ...]',
    async run({ prisma }, args, io) {
      const { values, positionals } = parseArgs({
        args,
        allowPositionals: true,
        options: { start: { type: "string" }, end: { type: "string" }, org: { type: "string", multiple: true } },
      });
      const name = positionals.join(" ").trim();
      const day = (v: string | undefined, what: string) => {
        if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(v))) throw new UsageError(`--${what} must be a date like 2026-01-01`);
        return v;
      };
      if (!name) throw new UsageError("round create needs a name");
      const tz = io.env.TZ || "Asia/Phnom_Penh";
      const startDay = day(values.start, "start");
      const endDay = day(values.end, "end");
      if (endDay < startDay) throw new UsageError("--end must not be before --start");
      const [sy, sm, sd] = startDay.split("-").map(Number) as [number, number, number];
      const [ey, em, ed] = endDay.split("-").map(Number) as [number, number, number];
      const orgs: number[] = [];
      for (const ref of values.org ?? []) orgs.push((await findOrg(prisma, ref)).id);
      // From the start day's midnight to the end of the end day, in the programme's time zone.
      const round = await prisma.harvestRound.create({
        data: { name, startsAt: zoned(sy, sm, sd, 0, tz), endsAt: new Date(zoned(ey, em, ed, 0, tz).getTime() + 86_400_000), organisationIds: orgs },
      });
      io.print(`created round ${round.id}: ${round.name}, ${startDay} to ${endDay}${orgs.length ? ` for ${orgs.length} organisation(s)` : ""}`);
    },
  },
  {
    words: ["round", "list"],
    usage: "",
    async run({ prisma }, _args, io) {
      const rounds = await prisma.harvestRound.findMany({ orderBy: { startsAt: "asc" }, include: { questions: { orderBy: { position: "asc" } } } });
      if (rounds.length === 0) io.print("no rounds");
      for (const r of rounds) {
        io.print(`${r.id}\t${r.name}\t${r.startsAt.toISOString()}\t${r.endsAt.toISOString()}\t${r.organisationIds.join(",") || "all"}`);
        for (const q of r.questions) io.print(`  question ${q.id}: ${q.text}`);
      }
    },
  },
  {
    words: ["round", "question"],
    usage: '<round id> "<question the round wants answered>"',
    async run({ prisma }, args, io) {
      const [id, ...words] = args;
      const text = words.join(" ").trim();
      if (!id || !/^\d+$/.test(id) || !text) throw new UsageError("round question needs a round id and the question");
      if (text.length > 300) throw new UsageError("a question has at most 300 characters");
      const q = await addQuestion(prisma, { roundId: Number(id), text });
      if (!q) throw new UsageError(`no round ${id} (see: npm run cli -- round list)`);
      io.print(`added question ${q.id} to round ${id}`);
    },
  },
];
