/**
 * Typed input the bot waits for outside a conversation: a coordinator's question, note, reason
 * or edit, a leader's answer, a new classification option. It is stored on the person's row,
 * so a restart in between loses nothing.
 */
import { z } from "zod";
import { Prisma } from "../generated/prisma/client.js";
import type { BotContext } from "./context.js";

export const PENDING_VERSION = 1;

const Pending = z.discriminatedUnion("kind", [
  z.object({ v: z.literal(PENDING_VERSION), kind: z.enum(["ask", "return", "reject"]), outcomeId: z.number(), version: z.number() }),
  z.object({ v: z.literal(PENDING_VERSION), kind: z.literal("edit"), outcomeId: z.number(), version: z.number(), field: z.string() }),
  z.object({ v: z.literal(PENDING_VERSION), kind: z.literal("answer"), outcomeId: z.number(), questionId: z.number() }),
  // What a leader sent while several questions wait: kept until they say which it answers.
  z.object({
    v: z.literal(PENDING_VERSION),
    kind: z.literal("answer_pick"),
    text: z.string().optional(),
    files: z.array(z.object({ kind: z.enum(["voice", "photo", "document", "audio", "video"]), fileId: z.string() })),
  }),
  z.object({ v: z.literal(PENDING_VERSION), kind: z.literal("option"), dimensionId: z.number() }),
  z.object({ v: z.literal(PENDING_VERSION), kind: z.literal("source"), outcomeId: z.number() }),
  z.object({ v: z.literal(PENDING_VERSION), kind: z.literal("offline_answers"), outcomeId: z.number() }),
  z.object({
    v: z.literal(PENDING_VERSION),
    kind: z.literal("suggest"),
    outcomeId: z.number(),
    step: z.enum(["name", "role", "relation", "contact"]),
    draft: z.object({ name: z.string().optional(), role: z.string().optional(), relation: z.string().optional() }),
  }),
  z.object({ v: z.literal(PENDING_VERSION), kind: z.literal("sub_comment"), assignmentId: z.number(), part: z.string() }),
  z.object({ v: z.literal(PENDING_VERSION), kind: z.literal("sub_decline"), assignmentId: z.number() }),
  // A coordinator links a statement to another: its number.
  z.object({ v: z.literal(PENDING_VERSION), kind: z.literal("link"), outcomeId: z.number() }),
  // After /import: the file to read.
  z.object({ v: z.literal(PENDING_VERSION), kind: z.literal("import") }),
]);
export type Pending = z.infer<typeof Pending>;

/** A file sent as (part of) an answer: a voice note, photo, document, audio or video, by Telegram file id. */
export interface AnswerFile {
  kind: "voice" | "photo" | "document" | "audio" | "video";
  fileId: string;
}
export type Input<P> = P extends unknown ? Omit<P, "v"> : never;

/** The stored pending input, or undefined (also for state an older version of the code wrote). */
export function readPending(value: unknown): Pending | undefined {
  const r = Pending.safeParse(value);
  return r.success ? r.data : undefined;
}

export async function setPending(ctx: BotContext, p: Input<Pending> | null) {
  const value = p ? { v: PENDING_VERSION, ...p } : null;
  ctx.user = await ctx.deps.prisma.user.update({ where: { id: ctx.user!.id }, data: { pendingInput: value ?? Prisma.DbNull } });
}
