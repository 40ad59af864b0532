/** The buttons of reporting: charts, statistics, exports and digest settings, per organisation (0: all in scope) and period. */
import { callbackData, flag, int, oneOf, word } from "../platform/telegram/callbacks.js";
import type { Field } from "../platform/telegram/callbacks.js";

/** A period as its token: "all", "2024", "2024-03", "2024-01..2024-06" (read again by parsePeriod). */
export const period: Field<string> = {
  pattern: "([\\d.-]+|all)",
  read: (s) => s,
  write: (s) => {
    if (!/^([\d.-]+|all)$/.test(s)) throw new Error(`not a period for callback data: ${s}`);
    return s;
  },
};

export const chart = callbackData("ch", { org: int, period });
export const stats = callbackData("st", { org: int, period });
/** The same, with every option listed (also those chosen for no statement). */
export const statsAll = callbackData("st", { org: int, period, all: oneOf(["a"]) });
export const exportFile = callbackData("ex", { org: int, period, format: oneOf(["x", "c"]) });

/** /digest: new-statement notices; frequency, weekday, day of month, hour, empty digests, organisations. */
export const noticeChoice = callbackData("dg:n", { choice: word });
export const digestFrequency = callbackData("dg:f", { value: word });
export const digestWeekday = callbackData("dg:w", { value: int });
export const digestMonthDay = callbackData("dg:m", { value: int });
export const digestHour = callbackData("dg:h", { value: int });
export const digestEmpty = callbackData("dg:e", { send: flag });
export const digestOrganisation = callbackData("dg:o", { org: int, on: flag });
