/**
 * The floor of a harvest step: a bot that does only the work one step cannot avoid, measured next
 * to the echo bot and this bot (bench/run.ts). grammY with the runner, as ours, and pg, without
 * Prisma, the conversations plugin or i18next. For each update:
 *
 * - the durable inbox write before the update is handled (as the real bot stores each update
 *   before it tells Telegram it arrived);
 * - one transaction: read the sender and their open draft, save the answer and its event, mark
 *   the update handled;
 * - after the commit, the next question with its buttons (and for a press, the callback answer).
 *
 * FLOOR_PREPARED=1 sends every statement as a named prepared statement (pg parses and plans it
 * once per connection). The questions are the real bot's, so bench/run.ts drives both alike.
 */
import { run } from "@grammyjs/runner";
import { Bot, type Context, InlineKeyboard } from "grammy";
import pg from "pg";

const prepared = process.env.FLOOR_PREPARED === "1";
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 6 });

/** The questions after each answer, and the column each answer is saved in. */
const STEPS: Array<{ column: string; cast: string; next: string; buttons?: string[] }> = [
  { column: "", cast: "", next: "What changed?" },
  { column: "description", cast: "text", next: "Who changed?" },
  { column: "actor_name", cast: "text", next: "What kind of social actor is it?", buttons: ["Government (national or local)", "Employer"] },
  { column: "actor_type", cast: "text", next: "When did it change?" },
  { column: "date_text", cast: "text", next: "I understood: <b>March 2024</b>. Is that right?", buttons: ["Yes", "No"] },
  { column: "date_kind", cast: "text", next: "Where did it happen?" },
  { column: "place", cast: "text", next: "Why does it matter?" },
  { column: "significance", cast: "text", next: "What did Bench Union do to contribute?" },
  { column: "contribution", cast: "text", next: "How many people were affected?" },
  { column: "people_affected", cast: "int", next: "How many of them are women?" },
  { column: "women_affected", cast: "int", next: "Did you <b>expect</b> this change?", buttons: ["Expected", "Unexpected"] },
  { column: "expected", cast: "boolean", next: "Was it positive or negative?", buttons: ["👍 Positive", "👎 Negative"] },
  { column: "positive", cast: "boolean", next: "Evidence: send photos or documents, or press Done." },
];

async function q<T>(client: pg.PoolClient | pg.Pool, name: string, text: string, values: unknown[]): Promise<T[]> {
  return (await client.query<T & pg.QueryResultRow>(prepared ? { name, text, values } : { text, values })).rows;
}

const bot = new Bot(process.env.BOT_TOKEN!, { client: { apiRoot: process.env.TELEGRAM_API_ROOT! } });

bot.use(async (ctx: Context) => {
  const from = ctx.from;
  if (!from) return;
  const update = ctx.update;
  // Stored before it is handled: a crash from here on loses nothing.
  await q(pool, "inbox-insert", `INSERT INTO "inbox_updates" ("update_id", "chat_key", "payload") VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, [
    update.update_id,
    String(from.id),
    update,
  ]);
  const answer = ctx.callbackQuery?.data ?? ctx.message?.text ?? "";
  const client = await pool.connect();
  let step = 0;
  try {
    await client.query("BEGIN");
    const [me] = await q<{ id: number; org: number; outcome: number | null; step: string | null }>(
      client,
      "sender",
      `SELECT u."id", (SELECT m."organisation_id" FROM "memberships" m WHERE m."user_id" = u."id" AND m."active" LIMIT 1) AS "org",
              o."id" AS "outcome", o."step"
         FROM "users" u LEFT JOIN "outcomes" o ON o."id" = u."active_outcome_id" AND o."status" = 'draft'
        WHERE u."telegram_id" = $1`,
      [from.id],
    );
    if (!me) throw new Error("unknown sender");
    if (answer === "/new" || me.outcome === null) {
      const [o] = await q<{ id: number }>(
        client,
        "draft",
        `INSERT INTO "outcomes" ("organisation_id", "author_id", "status", "language", "step", "updated_at") VALUES ($1, $2, 'draft', 'en', '1', now()) RETURNING "id"`,
        [me.org, me.id],
      );
      await q(client, "active", `UPDATE "users" SET "active_outcome_id" = $2 WHERE "id" = $1`, [me.id, o!.id]);
    } else {
      step = Number(me.step);
      const s = STEPS[step]!;
      const value = s.cast === "int" ? Number(/\d+/.exec(answer)?.[0] ?? 0) : s.cast === "boolean" ? !/^(Unexpected|👎)/.test(answer) : answer;
      await q(
        client,
        `answer-${step}`,
        `UPDATE "outcomes" SET "${s.column}" = $2::${s.cast}, "step" = $3, "version" = "version" + 1, "updated_at" = now() WHERE "id" = $1`,
        [me.outcome, value, String(step + 1)],
      );
      await q(client, "event", `INSERT INTO "outcome_events" ("outcome_id", "actor_id", "type", "field", "new_value") VALUES ($1, $2, 'answered', $3, $4)`, [
        me.outcome,
        me.id,
        s.column,
        String(value),
      ]);
    }
    await q(client, "handled", `UPDATE "inbox_updates" SET "handled_at" = now() WHERE "update_id" = $1`, [update.update_id]);
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK");
    throw e;
  } finally {
    client.release();
  }
  const next = STEPS[step]!;
  if (ctx.callbackQuery) await ctx.answerCallbackQuery();
  const keyboard = next.buttons ? InlineKeyboard.from([next.buttons.map((b) => InlineKeyboard.text(b, b))]) : undefined;
  await ctx.reply(next.next, { parse_mode: "HTML", reply_markup: keyboard });
});

await bot.init();
const runner = run(bot, { runner: { fetch: { timeout: 25 }, silent: true } });
console.log(JSON.stringify({ msg: `bot started (floor${prepared ? ", prepared" : ""})` }));
process.once("SIGTERM", () => void runner.stop().then(() => pool.end().then(() => process.exit(0))));
