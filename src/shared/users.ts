/** People as the bot knows them: their row, and how they are named. */
import type { User } from "../generated/prisma/client.js";
import type { T } from "../platform/i18n/index.js";
import type { Db } from "../platform/db/client.js";

/** Who Telegram says sent an update. */
export interface TelegramPerson {
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
}

function displayName(from: { first_name: string; last_name?: string }): string {
  return [from.first_name, from.last_name].filter(Boolean).join(" ").slice(0, 200);
}

/** A person's row, created or refreshed from what Telegram says of them (name and username). */
export function upsertUser(prisma: Db, from: TelegramPerson): Promise<User> {
  return prisma.user.upsert({
    where: { telegramId: BigInt(from.id) },
    create: { telegramId: BigInt(from.id), displayName: displayName(from), username: from.username },
    update: { displayName: displayName(from), username: from.username ?? null },
  });
}

/** How a person is named in messages: their name, or "author removed" once they deleted their data. */
export function personName(user: Pick<User, "displayName" | "deletedAt">, t: T): string {
  return user.deletedAt ? t("privacy.author_removed") : user.displayName;
}

/** Who reported a statement: its author, or for one imported from an earlier harvest the name the file gave. */
export function authorName(o: { author: Pick<User, "displayName" | "deletedAt"> | null; reportedBy: string | null }, t: T): string {
  if (o.author) return personName(o.author, t);
  return o.reportedBy?.trim() || t("review.author_unknown");
}
