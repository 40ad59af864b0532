import { describe, expect, it } from "vitest";
import type { OutcomeStatus } from "../src/generated/prisma/client.js";
import { ACTIONS, actionBy, coordinatorActions, nextStatus, STATUSES, type Action } from "../src/review/status.js";

/**
 * The whole state machine, written out: for each status, where each action leads.
 * "—" means the action is refused in that status.
 */
const TABLE: Record<OutcomeStatus, Record<Action, OutcomeStatus | "—">> = {
  draft: { submit: "submitted", resubmit: "—", ask: "—", answer: "—", return: "—", accept: "—", reject: "—", edit: "—", classify: "—" },
  submitted: {
    submit: "—",
    resubmit: "—",
    ask: "needs_clarification",
    answer: "—",
    return: "returned",
    accept: "accepted",
    reject: "rejected",
    edit: "submitted",
    classify: "—",
  },
  needs_clarification: {
    submit: "—",
    resubmit: "—",
    ask: "needs_clarification",
    answer: "submitted",
    return: "returned",
    accept: "accepted",
    reject: "rejected",
    edit: "needs_clarification",
    classify: "—",
  },
  returned: { submit: "—", resubmit: "submitted", ask: "—", answer: "—", return: "—", accept: "—", reject: "rejected", edit: "returned", classify: "—" },
  accepted: { submit: "—", resubmit: "—", ask: "—", answer: "—", return: "—", accept: "—", reject: "—", edit: "accepted", classify: "accepted" },
  rejected: { submit: "—", resubmit: "—", ask: "—", answer: "—", return: "—", accept: "—", reject: "—", edit: "—", classify: "—" },
};

describe("statement status machine", () => {
  it("the table covers every status and action", () => {
    expect(Object.keys(TABLE).sort()).toEqual([...STATUSES].sort());
    for (const s of STATUSES) expect(Object.keys(TABLE[s]).sort()).toEqual([...ACTIONS].sort());
  });

  for (const from of STATUSES) {
    for (const action of ACTIONS) {
      const expected = TABLE[from][action];
      it(`${from} --${action}--> ${expected === "—" ? "refused" : expected}`, () => {
        expect(nextStatus(from, action)).toBe(expected === "—" ? undefined : expected);
      });
    }
  }

  it("authors submit, resubmit and answer; coordinators do the rest", () => {
    expect(ACTIONS.filter((a) => actionBy(a) === "author").sort()).toEqual(["answer", "resubmit", "submit"]);
  });

  it("offers a coordinator only the actions the status allows", () => {
    expect(coordinatorActions("submitted")).toEqual(["accept", "ask", "return", "reject", "edit"]);
    expect(coordinatorActions("returned")).toEqual(["reject", "edit"]);
    expect(coordinatorActions("accepted")).toEqual(["edit", "classify"]);
    expect(coordinatorActions("rejected")).toEqual([]);
    expect(coordinatorActions("draft")).toEqual([]);
  });
});
