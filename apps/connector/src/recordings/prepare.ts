import { stat } from "node:fs/promises";
import { convertWithFallback, ffmpegConverter, type ConvertResult, type FfmpegOptions, type RecordingConverter } from "./convert.js";
import type { CallIds, RecordingLookup } from "./db-lookup.js";
import { resolveRecordingPath, type RecordingLocation } from "./locate.js";
import { waitForStableFile, type WaitStableOptions } from "./wait-stable.js";

/**
 * The recording steps in order: find the name (MIXMONITOR_FILENAME, else the external database),
 * resolve it to a local path, wait until the file is complete, optionally convert to mp3.
 * Attaching is separate (attach-file.ts / attach-link.ts): the pipeline chooses how.
 */

export interface PrepareRecordingConfig {
  location?: RecordingLocation;
  wait?: WaitStableOptions;
  /** Look the path up here when the call has no MIXMONITOR_FILENAME (or always, with `preferLookup`). */
  lookup?: RecordingLookup;
  preferLookup?: boolean;
  convert?: {
    /** wav → mp3 (default false). */
    enabled: boolean;
    /** Default 10 s; past it the original is used. */
    timeoutMs?: number;
    ffmpeg?: FfmpegOptions;
    /** Replaces ffmpeg (tests, or another tool). */
    converter?: RecordingConverter;
  };
}

export interface RecordingFacts extends Partial<CallIds> {
  /** The channel variable as the PBX set it (absolute or relative to the monitor folder). */
  mixMonitorFilename?: string | undefined;
  startedAt?: Date | undefined;
}

export interface PreparedRecording {
  /** The file to attach (the mp3 when converted). */
  path: string;
  /** The recording as the PBX wrote it. */
  originalPath: string;
  /** Size of `path`. */
  size: number;
  source: "mixmonitor" | "database" | "voicemail";
  conversion?: ConvertResult;
}

/** undefined when the call has no recording; throws RecordingNotFoundError / RecordingNotStableError / RecordingLookupError. */
export async function prepareRecording(facts: RecordingFacts, config: PrepareRecordingConfig = {}): Promise<PreparedRecording | undefined> {
  let name = config.preferLookup ? undefined : facts.mixMonitorFilename?.trim() || undefined;
  let source: PreparedRecording["source"] = "mixmonitor";
  if (!name && config.lookup && facts.uniqueid) {
    name = await config.lookup.find({ uniqueid: facts.uniqueid, linkedid: facts.linkedid });
    source = "database";
  }
  if (!name && config.preferLookup) name = facts.mixMonitorFilename?.trim() || undefined;
  if (!name) return undefined;

  const originalPath = resolveRecordingPath(name, config.location, facts.startedAt);
  const { size } = await waitForStableFile(originalPath, config.wait);
  const prepared: PreparedRecording = { path: originalPath, originalPath, size, source };
  if (config.convert?.enabled) {
    const converter = config.convert.converter ?? ffmpegConverter(config.convert.ffmpeg);
    const conversion = await convertWithFallback(originalPath, converter, config.convert.timeoutMs ?? 10_000);
    prepared.conversion = conversion;
    if (conversion.converted) {
      prepared.path = conversion.path;
      prepared.size = (await stat(conversion.path)).size;
    }
  }
  return prepared;
}
