/** The buttons of review: the queue and its filters, a statement's card and actions; the author's answers and revisions. */
import { callbackData, flag, int, oneOf, word } from "../platform/telegram/callbacks.js";

/** A statement's card (from the queue, a notice, a digest). */
export const openCard = callbackData("rv:o", { id: int });
/** A page of the queue: organisation (0: all in scope), status, page. */
export const queuePage = callbackData("rv:l", { org: int, status: word, page: int });
export const filterOrganisation = callbackData("rv:fo", { status: word });
export const filterStatus = callbackData("rv:fs", { org: int });
/** An action on the version of the statement the card showed. */
export const reviewAction = callbackData("rv:a", { id: int, version: int, action: word });
export const editField = callbackData("rv:e", { id: int, version: int, field: word });
/** Link this statement to another: asks for its number; then how the two are linked. */
export const linkStart = callbackData("rv:k", { id: int });
/** From the statement the coordinator is on: it is the same change as the other, it led to it, or it follows from it. */
export const LINK_CHOICES = ["same", "led_to", "led_from"] as const;
export type LinkChoice = (typeof LINK_CHOICES)[number];
export const linkChoice = callbackData("rv:m", { id: int, other: int, choice: oneOf(LINK_CHOICES) });
/** A joint outcome: the organisations that contributed besides the lead one, switched on and off. */
export const contributorsOf = callbackData("rv:j", { id: int });
export const contributorToggle = callbackData("rv:t", { id: int, org: int, on: flag });
/** The harvesting questions a statement answers, switched on and off. */
export const questionsOf = callbackData("rv:q", { id: int });
export const questionToggle = callbackData("rv:u", { id: int, question: int, on: flag });
/** The event log of a statement (/history). */
export const statementHistory = callbackData("rv:h", { id: int });

/** The author answers a question; revises a returned statement; says which question something they sent answers. */
export const answerQuestionButton = callbackData("qa", { question: int });
export const reviseStatement = callbackData("rev", { id: int });
export const pickQuestion = callbackData("qp", { question: int });

/** The first page of the queue of submitted statements, in every organisation in scope. */
export const QUEUE_START = { org: 0, status: "submitted", page: 0 };
