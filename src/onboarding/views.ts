/** What onboarding, /orgs, /invite and /members show: text and buttons from data and a translator. */
import type { Invite, Membership, Organisation, Role, User } from "../generated/prisma/client.js";
import { formatDay, LANGUAGE_AUTONYMS } from "../platform/i18n/format.js";
import { LANGUAGES, type Lang, type T, translator } from "../platform/i18n/index.js";
import { type Button, keyboard } from "../platform/telegram/keyboard.js";
import type { MenuRole } from "../shared/access.js";
import { commandList } from "../shared/menus.js";
import { personName } from "../shared/users.js";
import {
  chooseLanguage,
  consentAnswer,
  inviteDays,
  inviteOrg,
  inviteRole,
  inviteUses,
  memberActive,
  memberCard,
  memberRole,
  membersOf,
  membersPage,
  revokeInviteButton,
} from "./callbacks.js";
import type { InviteChoice, MembersPage } from "./service.js";

/** A text and its buttons, ready to send or to edit into a message. */
export interface View {
  text: string;
  keyboard?: ReturnType<typeof keyboard>;
}

export function languageKeyboard() {
  return keyboard(
    LANGUAGES.map((l) => ({ text: LANGUAGE_AUTONYMS[l], data: chooseLanguage.data({ lang: l }) })),
    2,
  );
}

/**
 * A message to someone who has not chosen a language yet, in `known` (their language, the
 * configured default, or their Telegram app's when the bot speaks it), otherwise in every
 * language, one after another.
 */
export function inEveryLanguage(known: Lang | undefined, key: string, params: (t: T) => Record<string, unknown> = () => ({}), separator = "\n\n"): string {
  const langs: readonly Lang[] = known ? [known] : LANGUAGES;
  return langs
    .map((l) => {
      const t = translator(l);
      return t(key, params(t));
    })
    .join(separator);
}

/**
 * The consent: a leader's tells them they can delete their data with /privacy; a coordinator's
 * (or an admin's, or a substantiator's by invitation) that their work stays in the programme's
 * record and how they leave.
 */
export function consentView(t: T, staff: boolean): View {
  return {
    text: t(staff ? "onboarding.consent_staff" : "onboarding.consent"),
    keyboard: keyboard([
      { text: t("onboarding.consent_accept"), data: consentAnswer.data({ answer: "accept" }) },
      { text: t("onboarding.consent_decline"), data: consentAnswer.data({ answer: "decline" }) },
    ]),
  };
}

/** The commands this person can use, as /help shows them. */
export function helpText(t: T, lang: Lang, role: MenuRole): string {
  const lines = commandList(role, lang).map((c) => `/${c.command} — ${t(`help.${c.command}`)}`);
  return `${t(`help.intro_${role}`)}\n\n${lines.join("\n")}`;
}

export function organisationCreated(t: T, org: Organisation): View {
  return { text: t("orgs.created", { name: org.name }), keyboard: keyboard([{ text: t("orgs.invite_button"), data: inviteOrg.data({ org: org.id }) }]) };
}

/** /orgs: each organisation with its members; its button opens the member list. */
export function organisationList(t: T, orgs: Array<Organisation & { members: number }>): View {
  const lines = orgs.map((o) => t("orgs.line", { name: o.name, n: o.members }));
  return {
    text: `${t("orgs.title")}\n${lines.join("\n")}`,
    keyboard: keyboard(orgs.map((o) => ({ text: `👥 ${o.name}`, data: membersOf.data({ org: o.id }) }))),
  };
}

export function pickInviteOrganisation(t: T, orgs: Organisation[]): View {
  return { text: t("orgs.invite_pick_org"), keyboard: keyboard(orgs.map((o) => ({ text: o.name, data: inviteOrg.data({ org: o.id }) }))) };
}

export function pickInviteRole(t: T, org: Organisation, choices: InviteChoice[]): View {
  return {
    text: t("orgs.invite_pick_role", { org: org.name }),
    keyboard: keyboard(choices.map((r) => ({ text: t(`roles.${r}`), data: inviteRole.data({ org: org.id, role: r }) }))),
  };
}

export function pickInviteUses(t: T, org: Organisation, role: string, offered: number[]): View {
  return {
    text: t("orgs.invite_pick_uses", { org: org.name, role: t(`roles.${role}`) }),
    keyboard: keyboard(
      offered.map((u) => ({ text: String(u), data: inviteUses.data({ org: org.id, role, uses: u }) })),
      4,
    ),
  };
}

/** The last step; `nonce` makes the final press idempotent (pressing twice creates one invite). */
export function pickInviteDays(t: T, org: Organisation, role: string, uses: number, offered: number[], nonce: string): View {
  return {
    text: t("orgs.invite_pick_days", { org: org.name, role: t(`roles.${role}`), uses }),
    keyboard: keyboard(
      offered.map((d) => ({ text: t("orgs.days", { count: d, n: d }), data: inviteDays.data({ org: org.id, role, uses, days: d, nonce }) })),
      2,
    ),
  };
}

export function inviteCreated(t: T, lang: Lang, timeZone: string, org: Organisation, role: string, invite: Invite, link: string): View {
  return {
    text: t("orgs.invite_created", {
      org: org.name,
      role: t(`roles.${role}`),
      uses: invite.maxUses,
      expires: formatDay(invite.expiresAt, lang, timeZone),
      link,
    }),
    keyboard: keyboard([{ text: t("orgs.invite_revoke"), data: revokeInviteButton.data({ invite: invite.id }) }]),
  };
}

export function pickMembersOrganisation(t: T, orgs: Organisation[]): View {
  return { text: t("members.pick_org"), keyboard: keyboard(orgs.map((o) => ({ text: o.name, data: membersOf.data({ org: o.id }) }))) };
}

/** One page of /members: a line and a button per member, and the pages. */
export function memberList(t: T, page: MembersPage): View {
  const { organisation, members, total, page: p, pages } = page;
  const lines = members.map((m) =>
    t(m.active ? "members.line" : "members.line_inactive", {
      name: personName(m.user, t),
      username: m.user.username ? ` @${m.user.username}` : "",
      role: t(`roles.${m.role}`),
    }),
  );
  const buttons: Button[] = members.map((m) => ({
    text: `${m.active ? "" : "🚫 "}${personName(m.user, t)} · ${t(`roles.${m.role}`)}`,
    data: memberCard.data({ membership: m.id }),
  }));
  if (p > 0) buttons.push({ text: t("my.prev"), data: membersPage.data({ org: organisation.id, page: p - 1 }) });
  if (p < pages - 1) buttons.push({ text: t("my.next"), data: membersPage.data({ org: organisation.id, page: p + 1 }) });
  const head = t("members.title", { org: organisation.name, count: total });
  const paging = pages > 1 ? `\n${t("members.page", { page: p + 1, pages })}` : "";
  return { text: `${head}${paging}\n\n${lines.join("\n") || t("members.none")}`, keyboard: keyboard(buttons) };
}

/** A member's card: who, where, which role, since when; the changes a coordinator can make. */
export function memberCardView(t: T, lang: Lang, timeZone: string, m: Membership & { user: User; organisation: Organisation }, roles: Role[]): View {
  const buttons: Button[] = roles
    .filter((r: Role) => r !== m.role)
    .map((r) => ({
      text: t("members.make", { role: t(`roles.${r}`) }),
      data: memberRole.data({ membership: m.id, role: r }),
    }));
  buttons.push(
    m.active
      ? { text: t("members.deactivate"), data: memberActive.data({ membership: m.id, active: false }) }
      : { text: t("members.reactivate"), data: memberActive.data({ membership: m.id, active: true }) },
    { text: t("members.back"), data: membersOf.data({ org: m.organisationId }) },
  );
  return {
    text: t("members.card", {
      name: personName(m.user, t),
      org: m.organisation.name,
      role: t(`roles.${m.role}`),
      state: t(m.active ? "members.active" : "members.inactive"),
      since: formatDay(m.createdAt, lang, timeZone),
    }),
    keyboard: keyboard(buttons),
  };
}
