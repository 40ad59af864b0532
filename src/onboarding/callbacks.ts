/** The buttons of onboarding, organisations and invites, and /members. */
import { callbackData, flag, int, oneOf, token, word } from "../platform/telegram/callbacks.js";

/** A language chosen (at joining, or with /language). */
export const chooseLanguage = callbackData("lang", { lang: token });
export const consentAnswer = callbackData("consent", { answer: oneOf(["accept", "decline"]) });

/** The invite flow: organisation, role (or "programme"), number of uses, days valid (with a nonce: one invite per press). */
export const inviteOrg = callbackData("inv:o", { org: int });
export const inviteRole = callbackData("inv:r", { org: int, role: word });
export const inviteUses = callbackData("inv:u", { org: int, role: word, uses: int });
export const inviteDays = callbackData("inv:d", { org: int, role: word, uses: int, days: int, nonce: token });
export const revokeInviteButton = callbackData("inv:x", { invite: int });

/** /members: an organisation's list (and its pages), a member's card, a change of role or state. */
export const membersOf = callbackData("mb:o", { org: int });
export const membersPage = callbackData("mb:p", { org: int, page: int });
export const memberCard = callbackData("mb:m", { membership: int });
export const memberRole = callbackData("mb:r", { membership: int, role: word });
export const memberActive = callbackData("mb:a", { membership: int, active: flag });
