/** The command menus: which commands each role has, in each language. */
import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import { LANGUAGES, translator, type Lang } from "../platform/i18n/index.js";
import type { MenuRole } from "./access.js";

/** Every person's last commands: leave a question, privacy, language, help. */
const ALWAYS = ["cancel", "privacy", "language", "help"];
/** What coordinators do with statements, in the order of the method. */
const COORDINATING = ["console", "review", "substantiate", "stats", "charts", "export", "import", "digest", "members"];

/** Which commands each role has; the menu, /help and the README's table (checked by a test) follow this. */
export const ROLE_COMMANDS: Record<MenuRole, string[]> = {
  guest: ["start", "privacy", "language", "help"],
  leader: ["new", "my", "history", "reminders", ...ALWAYS],
  substantiator: ["checks", ...ALWAYS],
  coordinator: [...COORDINATING, "new", "my", "invite", "orgs", "history", ...ALWAYS],
  programme: [...COORDINATING, "dimensions", "new", "my", "invite", "orgs", "history", ...ALWAYS],
  admin: [...COORDINATING, "dimensions", "new", "my", "neworg", "orgs", "invite", "history", ...ALWAYS],
};

export function commandList(role: MenuRole, lang: Lang): BotCommand[] {
  const t = translator(lang);
  return ROLE_COMMANDS[role].map((command) => ({ command, description: t(`commands.${command}`) }));
}

/** The default menu per language; each person's menu is narrowed to their role when they join. */
export async function registerCommands(api: Api): Promise<void> {
  await api.setMyCommands(commandList("guest", "en"));
  for (const lang of LANGUAGES) await api.setMyCommands(commandList("guest", lang), { language_code: lang });
}

/** Where Telegram opens the coordinators' console: the page under the server's public address. */
export const consoleUrl = (publicUrl: string) => `${publicUrl}/console/`;

const CONSOLE_ROLES: MenuRole[] = ["coordinator", "programme", "admin"];

/** The menu button that opens the console, named in the person's language. */
export const consoleMenuButton = (publicUrl: string, lang: Lang) =>
  ({ type: "web_app", text: translator(lang)("console.menu"), web_app: { url: consoleUrl(publicUrl) } }) as const;

/**
 * Sets the command menu of one private chat to the person's role and language. With the console
 * turned on (PUBLIC_URL), a coordinator's menu button opens it; anyone else's lists the commands
 * (so a coordinator who is no longer one loses it).
 */
export async function registerChatCommands(api: Api, chatId: number, role: MenuRole, lang: Lang, publicUrl?: string) {
  await api.setMyCommands(commandList(role, lang), { scope: { type: "chat", chat_id: chatId } });
  if (!publicUrl) return;
  await api.setChatMenuButton({
    chat_id: chatId,
    menu_button: CONSOLE_ROLES.includes(role) ? consoleMenuButton(publicUrl, lang) : { type: "commands" },
  });
}
