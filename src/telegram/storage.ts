import type { VersionedStateStorage } from "@grammyjs/conversations";
import type { Db } from "../db/client.js";
import type { Prisma } from "../generated/prisma/client.js";

/** Conversation state in the database (table conversation_state), so a restart loses nothing. */
export function conversationStorage<S>(prisma: Db): VersionedStateStorage<string, S> {
  return {
    async read(key) {
      const row = await prisma.conversationState.findUnique({ where: { key } });
      return (row?.value ?? undefined) as never;
    },
    async write(key, state) {
      const value = state as unknown as Prisma.InputJsonValue;
      await prisma.conversationState.upsert({ where: { key }, create: { key, value }, update: { value } });
    },
    async delete(key) {
      await prisma.conversationState.deleteMany({ where: { key } });
    },
  };
}
