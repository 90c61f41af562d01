import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import type { Recording } from "./types.js";

/** Where the recorded PBX wrote its recordings (MIXMONITOR_FILENAME is absolute under it). */
export const RECORDED_MONITOR_DIR = "/var/spool/asterisk/monitor";

/** The recording files a recorded call produced (VarSet MIXMONITOR_FILENAME values, in order, unique). */
export function recordingFileNames(rec: Recording): string[] {
  return variableValues(rec, "MIXMONITOR_FILENAME");
}

/** Every non-empty value a recorded call set for `variable` (VarSet), in order, unique. */
function variableValues(rec: Recording, variable: string): string[] {
  const out: string[] = [];
  for (const { message } of rec.messages) {
    if (message.event !== "VarSet" || message.get("Variable") !== variable) continue;
    const v = message.get("Value");
    if (v && !out.includes(v)) out.push(v);
  }
  return out;
}

/** Where the recorded PBX keeps voicemail (VM_MESSAGEFILE is absolute under it, without extension). */
export const RECORDED_VOICEMAIL_DIR = "/var/spool/asterisk/voicemail";

/** Voicemail messages left in a recorded call (VarSet VM_MESSAGEFILE values, in order, unique). */
export function voicemailFileNames(rec: Recording): string[] {
  return variableValues(rec, "VM_MESSAGEFILE");
}

/** Plays app_voicemail's part: a silent `<VM_MESSAGEFILE>.wav` (its default format) for every message, under `localRoot`. */
export function writeVoicemailFiles(rec: Recording, localRoot: string, pbxRoot = RECORDED_VOICEMAIL_DIR): string[] {
  const written: string[] = [];
  for (const name of voicemailFileNames(rec)) {
    const rel = relative(pbxRoot, name);
    if (rel.startsWith("..") || isAbsolute(rel)) continue;
    const path = join(localRoot, `${rel}.wav`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, silentWav(2));
    written.push(path);
  }
  return written;
}

/** A valid mono 8 kHz 16-bit WAV of `seconds` of silence (the recordings' audio is not included). */
export function silentWav(seconds = 1): Buffer {
  const rate = 8000;
  const data = rate * 2 * seconds;
  const b = Buffer.alloc(44 + data);
  b.write("RIFF", 0);
  b.writeUInt32LE(36 + data, 4);
  b.write("WAVEfmt ", 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write("data", 36);
  b.writeUInt32LE(data, 40);
  return b;
}

/**
 * Plays the PBX's part for recordings: writes a silent WAV for every file the recorded calls
 * produced, under `localRoot` (which stands for the PBX's monitor folder). Returns the paths.
 */
export function writeRecordingFiles(rec: Recording, localRoot: string, pbxRoot = RECORDED_MONITOR_DIR): string[] {
  const written: string[] = [];
  for (const name of recordingFileNames(rec)) {
    const rel = isAbsolute(name) ? relative(pbxRoot, name) : name;
    if (rel.startsWith("..")) continue;
    const path = join(localRoot, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, silentWav(1));
    written.push(path);
  }
  return written;
}
