import type { VersionedStateStorage } from "@grammyjs/conversations";
import type { Db } from "../db/client.js";
import type { Prisma } from "../generated/prisma/client.js";

/** Conversation state in the database (table conversation_state), so a restart loses nothing. */
export function conversationStorage<S>(prisma: Db): VersionedStateStorage<string, S> {
  return {
    async read(key) {
      const row = await prisma.conversationState.findUnique({ where: { key } });
      const value = row?.value as { version?: unknown; state?: unknown } | null | undefined;
      // Anything not in the plugin's versioned shape is dropped rather than crashing every update;
      // the person's draft (in the outcomes table) still holds every answer.
      if (!value || typeof value !== "object" || !Array.isArray(value.version)) return undefined;
      return value as never;
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
