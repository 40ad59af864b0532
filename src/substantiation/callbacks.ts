/** The buttons of substantiation: the coordinator's choice of statements and sources; the source's answers. */
import { callbackData, flag, int, token, word } from "../platform/telegram/callbacks.js";

/** Coordinators: an organisation's overview, a proposal's page, a statement in or out, confirming. */
export const overview = callbackData("sb:o", { org: int });
export const propose = callbackData("sb:p", { org: int });
export const toggleInProposal = callbackData("sb:t", { proposal: int, id: int, chosen: flag });
export const confirmProposal = callbackData("sb:c", { proposal: int });
/** Adding a source to a statement; an organisation's results; a statement marked in doubt (or not). */
export const addSourceButton = callbackData("sb:a", { id: int });
/** Record the answers a source gave offline (by phone, in an interview). */
export const recordOffline = callbackData("sb:f", { id: int });
export const results = callbackData("sb:r", { org: int });
export const inDoubt = callbackData("sb:d", { id: int, doubt: flag });

/** The source: language, consent, named or anonymous, a level per part, a comment, editing, sending, declining. */
export const sourceLanguage = callbackData("sv:l", { assignment: int, lang: token });
export const sourceConsent = callbackData("sv:c", { assignment: int });
export const sourceNaming = callbackData("sv:n", { assignment: int, named: flag });
export const sourceLevel = callbackData("sv:a", { assignment: int, part: word, level: word });
export const skipComment = callbackData("sv:k", { assignment: int, part: word });
export const changePart = callbackData("sv:e", { assignment: int, part: word });
export const sendAnswers = callbackData("sv:f", { assignment: int });
export const declineButton = callbackData("sv:d", { assignment: int });
export const confirmDecline = callbackData("sv:x", { assignment: int });
export const resumeAssignment = callbackData("sv:r", { assignment: int });

/** The author suggests who could substantiate a statement. */
export const suggestSources = callbackData("sg", { id: int });
export const skipSuggestionStep = callbackData("sg:k", { id: int });
