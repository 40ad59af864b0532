/**
 * The life of a statement as a state machine: which action may move it from which status, and
 * who may take it. Every status change in the bot goes through nextStatus.
 */
import type { OutcomeStatus } from "../generated/prisma/client.js";

export const STATUSES: OutcomeStatus[] = ["draft", "submitted", "needs_clarification", "returned", "accepted", "rejected"];

export type Action = "submit" | "resubmit" | "ask" | "answer" | "return" | "accept" | "reject" | "edit" | "classify";
export const ACTIONS: Action[] = ["submit", "resubmit", "ask", "answer", "return", "accept", "reject", "edit", "classify"];

interface Rule {
  from: OutcomeStatus[];
  /** The status after the action; "same" for actions that change content, not status. */
  to: OutcomeStatus | "same";
  by: "author" | "coordinator";
}

const RULES: Record<Action, Rule> = {
  submit: { from: ["draft"], to: "submitted", by: "author" },
  resubmit: { from: ["returned"], to: "submitted", by: "author" },
  ask: { from: ["submitted", "needs_clarification"], to: "needs_clarification", by: "coordinator" },
  answer: { from: ["needs_clarification"], to: "submitted", by: "author" },
  return: { from: ["submitted", "needs_clarification"], to: "returned", by: "coordinator" },
  accept: { from: ["submitted", "needs_clarification"], to: "accepted", by: "coordinator" },
  reject: { from: ["submitted", "needs_clarification", "returned"], to: "rejected", by: "coordinator" },
  edit: { from: ["submitted", "needs_clarification", "returned", "accepted"], to: "same", by: "coordinator" },
  classify: { from: ["accepted"], to: "same", by: "coordinator" },
};

/** The status after `action`, or undefined when the action is not allowed from `from`. */
export function nextStatus(from: OutcomeStatus, action: Action): OutcomeStatus | undefined {
  const rule = RULES[action];
  if (!rule.from.includes(from)) return undefined;
  return rule.to === "same" ? from : rule.to;
}

/** Who may take an action. */
export const actionBy = (action: Action) => RULES[action].by;

/** The coordinator's actions on a statement in this status, in the order the buttons show them. */
export function coordinatorActions(status: OutcomeStatus): Action[] {
  return (["accept", "ask", "return", "reject", "edit", "classify"] as Action[]).filter((a) => nextStatus(status, a) !== undefined);
}

/** Statuses whose content the author may still change. */
export const EDITABLE: OutcomeStatus[] = ["draft", "returned"];
