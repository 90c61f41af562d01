import type { B24Port } from "../crm/port.js";
import { RecordingAttachError } from "./errors.js";

/**
 * Instead of uploading the file, writes a link / HTML5 player into the call activity's
 * DESCRIPTION (crm.activity.update, DESCRIPTION_TYPE 3 = HTML), pointing at the connector's signed
 * URL. Keeps Bitrix24 Disk small; the recording stays on the PBX's storage. Our block sits between
 * two HTML comments so re-processing replaces it instead of adding a second player.
 */

export type RecordingLinkMode = "audio" | "link";

const START = "<!--ab24:record-->";
const END = "<!--/ab24:record-->";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export function recordingLinkHtml(url: string, mode: RecordingLinkMode = "audio", label = "Запись разговора"): string {
  const href = escapeHtml(url);
  const link = `<a href="${href}" target="_blank" rel="noopener">${escapeHtml(label)}</a>`;
  const body = mode === "audio" ? `<audio controls preload="none" src="${href}"></audio><br>${link}` : link;
  return `${START}<p>${body}</p>${END}`;
}

/** The activity description with our block added, or replaced if it is already there. */
export function withRecordingBlock(existing: string | null | undefined, block: string): string {
  const current = existing ?? "";
  const start = current.indexOf(START);
  const end = current.indexOf(END, start);
  if (start >= 0 && end > start) return current.slice(0, start) + block + current.slice(end + END.length);
  return current.trim() === "" ? block : `${current}<br>${block}`;
}

export interface AttachLinkInput {
  url: string;
  mode?: RecordingLinkMode;
  label?: string;
  /** The call activity (finish's CRM_ACTIVITY_ID); if absent it is looked up by ORIGIN_ID = VI_<callId>. */
  activityId?: number;
  callId?: string;
  /** Current DESCRIPTION; if absent and the activity is looked up, the looked-up one is used. */
  existingDescription?: string;
}

interface ActivityRow {
  ID?: string | number;
  DESCRIPTION?: string | null;
  DESCRIPTION_TYPE?: string | number;
}

export async function attachRecordingLink(port: B24Port, input: AttachLinkInput): Promise<{ activityId: number }> {
  let activityId = input.activityId;
  let existing = input.existingDescription;
  if (activityId === undefined) {
    if (!input.callId) throw new RecordingAttachError("attachRecordingLink needs activityId or callId");
    const rows = await port.call<ActivityRow[]>("crm.activity.list", {
      filter: { ORIGIN_ID: `VI_${input.callId}` },
      select: ["ID", "DESCRIPTION", "DESCRIPTION_TYPE"],
    });
    const row = Array.isArray(rows) ? rows[0] : undefined;
    if (!row?.ID) throw new RecordingAttachError(`no call activity for ${input.callId}`);
    activityId = Number(row.ID);
    // A plain-text description must become HTML-safe before we switch the type to HTML.
    if (existing === undefined && row.DESCRIPTION) {
      existing = String(row.DESCRIPTION_TYPE) === "3" ? row.DESCRIPTION : escapeHtml(row.DESCRIPTION).replace(/\n/g, "<br>");
    }
  }
  const description = withRecordingBlock(existing, recordingLinkHtml(input.url, input.mode, input.label));
  await port.call("crm.activity.update", { id: activityId, fields: { DESCRIPTION: description, DESCRIPTION_TYPE: 3 } });
  return { activityId };
}
