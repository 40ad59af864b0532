/** The buttons of /privacy: ask to delete, then confirm or keep. */
import { callbackData } from "../platform/telegram/callbacks.js";

export const askDelete = callbackData("pv:ask", {});
export const confirmDelete = callbackData("pv:yes", {});
export const keepData = callbackData("pv:no", {});
