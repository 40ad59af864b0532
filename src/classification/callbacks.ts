/** The buttons of classification: a statement's dimensions page by page, and /dimensions. */
import { callbackData, flag, int } from "../platform/telegram/callbacks.js";

/** Opens a statement's classification at a dimension (from a card: a new message). */
export const classify = callbackData("cl", { id: int, page: int });
/** Turns the page in place. */
export const classifyPage = callbackData("cl:e", { id: int, page: int });
/** Chooses or clears an option of the dimension on `page`. */
export const chooseOption = callbackData("cl:s", { id: int, option: int, selected: flag, page: int });
export const classifyDone = callbackData("cl:d", { id: int });

/** /dimensions: the list, one dimension, an option on or off, adding an option, one or several per statement. */
export const dimensionList = callbackData("dm:l", {});
export const dimensionCard = callbackData("dm:d", { dimension: int });
export const optionActive = callbackData("dm:t", { option: int, active: flag });
export const addOptionButton = callbackData("dm:a", { dimension: int });
export const dimensionMultiple = callbackData("dm:m", { dimension: int, multiple: flag });
