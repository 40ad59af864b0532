import { InlineKeyboard } from "grammy";

export interface Button {
  text: string;
  data: string;
}

/** An inline keyboard with `perRow` buttons a row. */
export function keyboard(buttons: Button[], perRow = 1): InlineKeyboard {
  const kb = new InlineKeyboard();
  buttons.forEach((b, i) => {
    kb.text(b.text, b.data);
    if ((i + 1) % perRow === 0 && i < buttons.length - 1) kb.row();
  });
  return kb;
}
