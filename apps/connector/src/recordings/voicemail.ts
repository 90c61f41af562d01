import { stat } from "node:fs/promises";
import { extname } from "node:path";
import { RecordingNotFoundError, RecordingNotStableError } from "./errors.js";
import { resolveRecordingPath } from "./locate.js";
import { prepareRecording, type PrepareRecordingConfig, type PreparedRecording, type RecordingFacts } from "./prepare.js";

/**
 * The call's record with a voicemail fallback: the mixed recording (MixMonitor / database) when
 * it has audio, else a voicemail message left in the call (app_voicemail's VM_MESSAGEFILE, a path
 * without extension: the file is `<path>.wav`, or `.WAV` for the wav49 format). A call that went
 * to voicemail is often not recorded at all (FreePBX records answered calls), or its recording
 * holds only a header.
 */

/** A .wav of at most its 44-byte header has no audio. */
const WAV_HEADER_BYTES = 44;

function isEmpty(p: PreparedRecording): boolean {
  return extname(p.originalPath).toLowerCase() === ".wav" && p.size <= WAV_HEADER_BYTES;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** The voicemail file on this machine, or undefined when none of its formats is there. */
export async function locateVoicemail(messageFile: string, config: PrepareRecordingConfig): Promise<string | undefined> {
  const base = messageFile.trim();
  if (!base) return undefined;
  const names = extname(base) ? [base] : [`${base}.wav`, `${base}.WAV`];
  for (const name of names) {
    const path = resolveRecordingPath(name, config.location);
    if (await exists(path)) return path;
  }
  return undefined;
}

export async function prepareCallRecording(facts: RecordingFacts, voicemails: readonly string[], config: PrepareRecordingConfig = {}): Promise<PreparedRecording | undefined> {
  let mixed: PreparedRecording | undefined;
  let failure: unknown;
  try {
    mixed = await prepareRecording(facts, config);
  } catch (err) {
    if (voicemails.length === 0 || !(err instanceof RecordingNotFoundError || err instanceof RecordingNotStableError)) throw err;
    failure = err;
  }
  if (mixed && (!isEmpty(mixed) || voicemails.length === 0)) return mixed;
  for (const vm of voicemails) {
    const path = await locateVoicemail(vm, config);
    if (!path) continue;
    const prepared = await prepareRecording({ mixMonitorFilename: path, startedAt: facts.startedAt }, { ...config, lookup: undefined, preferLookup: false });
    if (prepared) return { ...prepared, source: "voicemail" };
  }
  if (failure) throw failure;
  return mixed;
}
