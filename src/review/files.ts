import type { Message } from "grammy/types";
import type { AnswerFile } from "./service.js";

/** A file someone sent, as an answer can carry it (a voice note, photo, document, audio or video). */
export function answerFileOf(m: Message): AnswerFile | undefined {
  if (m.voice) return { kind: "voice", fileId: m.voice.file_id };
  if (m.photo?.length) return { kind: "photo", fileId: m.photo[m.photo.length - 1]!.file_id };
  if (m.document) return { kind: "document", fileId: m.document.file_id };
  if (m.audio) return { kind: "audio", fileId: m.audio.file_id };
  if (m.video) return { kind: "video", fileId: m.video.file_id };
  return undefined;
}
