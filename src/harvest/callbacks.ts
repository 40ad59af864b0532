/** The buttons of the harvest outside the conversation: /new, /my, the question after a submission, reminders. */
import { callbackData, flag, int, oneOf } from "../platform/telegram/callbacks.js";

export const resumeDraft = callbackData("new:resume", { id: int });
export const freshStatement = callbackData("new:fresh", {});
export const newForOrganisation = callbackData("new:org", { org: int });
/** Asked once after each submission: anything unexpected, or for the worse? */
export const afterSubmit = callbackData("after", { id: int, answer: oneOf(["yes", "no"]) });
/** /my: a page, one statement. */
export const myPage = callbackData("my:p", { page: int });
export const myStatement = callbackData("my:o", { id: int });
/** Round reminders paused or resumed. */
export const reminders = callbackData("rm", { on: flag });
