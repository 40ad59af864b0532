/** The buttons under an import's dry run: write it, or leave it. */
import { callbackData, int } from "../platform/telegram/callbacks.js";

export const confirmImport = callbackData("im:y", { job: int });
export const cancelImport = callbackData("im:n", { job: int });
