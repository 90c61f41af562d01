import { basename, isAbsolute, resolve } from "node:path";
import { attachRecordingFile, attachRecordingLink, attachRecordingUrl, prepareCallRecording, relativeToRoot, signedRecordingUrl } from "../recordings/index.js";
import type { StageStep } from "./step.js";

/** Where the connector serves recordings (link/url modes); mounted by the service. */
export const RECORDINGS_HTTP_PATH = "/recordings";

/**
 * Finds the call's recording, lets process_record_file_path change the path (fixed 10 s: it may
 * convert), and attaches it the configured way. Any failure is journalled as a typed error and
 * never stops the rest of the call (the finish already went through).
 */
export async function attachRecording(step: StageStep, activityId: number | undefined): Promise<void> {
  const { deps, call, crm, callKey } = step;
  const cfg = deps.config.recordings;
  try {
    const prepared = await prepareCallRecording(
      { mixMonitorFilename: call.record || undefined, startedAt: new Date(call.started_at), uniqueid: call.channel?.id ?? callKey, linkedid: call.linkedids[0] ?? callKey },
      call.voicemails ?? [],
      {
        location: { monitorDir: cfg.monitorDir, datedSubfolders: cfg.datedSubfolders, mounts: cfg.mounts },
        wait: { timeoutMs: cfg.waitTimeoutMs, ...(deps.stopSignal ? { signal: deps.stopSignal } : {}) },
        ...(deps.recordingLookup ? { lookup: deps.recordingLookup } : {}),
        convert: { enabled: cfg.convertToMp3 },
      },
    );
    if (!prepared) return;
    let path = prepared.path;
    if (deps.hooks.isEnabled("process_record_file_path")) {
      const r = await deps.hooks.run("process_record_file_path", { path, call_full: step.hookCall() });
      if (r.outcome === "cancelled") {
        await deps.journal.record(callKey, { kind: "note", text: "recording not attached: cancelled by customization" });
        return;
      }
      if (r.outcome === "applied" && r.data.path) path = isAbsolute(r.data.path) ? r.data.path : resolve(cfg.monitorDir, r.data.path);
    }
    const callId = crm.crmCallId!;
    await deps.journal.record(callKey, { kind: "request", method: "attachRecord", params: { mode: cfg.attach, path } });
    if (cfg.attach === "file") {
      await attachRecordingFile(deps.gateway, deps.gateway, callId, path);
    } else {
      if (!cfg.publicBaseUrl || !cfg.linkSecret) throw new Error(`recordings.attach = "${cfg.attach}" needs recordings.publicBaseUrl and recordings.linkSecret`);
      const url = signedRecordingUrl(new URL(RECORDINGS_HTTP_PATH, cfg.publicBaseUrl).toString(), relativeToRoot(cfg.monitorDir, path), { secret: cfg.linkSecret });
      if (cfg.attach === "url") await attachRecordingUrl(deps.gateway, callId, url, basename(path));
      else await attachLinkWithHook(step, url, activityId);
    }
    await deps.journal.update(callKey, { recordFile: path });
    await deps.journal.record(callKey, { kind: "result", method: "attachRecord", result: { path } });
  } catch (err) {
    // Stopping: the stage stays pending in the outbox and the next start attaches the recording.
    if (deps.stopSignal?.aborted) throw err;
    const e = err as Error;
    await deps.journal.record(callKey, { kind: "error", method: "attachRecord", error: { type: e.name || "Error", message: e.message } });
    deps.logger.warn({ callKey, err: e.message }, "recording not attached");
  }
}

async function attachLinkWithHook(step: StageStep, url: string, activityId: number | undefined): Promise<void> {
  const { deps, crm } = step;
  if (!deps.hooks.isEnabled("customize_attach_record_url")) {
    await attachRecordingLink(deps.gateway, { url, ...(activityId ? { activityId } : { callId: crm.crmCallId! }) });
    return;
  }
  const player = `<audio controls preload="none" src="${url}"></audio><br><a href="${url}">Запись разговора</a>`;
  const r = await deps.hooks.run("customize_attach_record_url", {
    DESCRIPTION: player,
    DESCRIPTION_TYPE: 3,
    activity: { id: String(activityId ?? ""), is_new: false, name: "", phones: [], raw: {}, responsible: {}, responsible_id: "", type: "activity" },
    call_full: step.hookCall(),
  });
  if (r.outcome === "cancelled") return;
  const fields = r.outcome === "applied" ? r.data : { DESCRIPTION: player, DESCRIPTION_TYPE: 3 };
  if (!activityId) {
    await attachRecordingLink(deps.gateway, { url, callId: crm.crmCallId! });
    return;
  }
  await deps.gateway.call("crm.activity.update", { id: activityId, fields });
}
