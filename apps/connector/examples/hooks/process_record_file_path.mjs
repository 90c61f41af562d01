// process_record_file_path — before the recording is attached (fixed 10 s timeout).
// Prefer an .mp3 made by the dialplan (smaller, plays in the Bitrix24 player); else convert the
// .wav with ffmpeg, stopping when the connector's timeout is near (ctx.signal); else the original.
// No file at all → empty data: nothing is attached.

import { execFile } from "node:child_process";
import { access } from "node:fs/promises";

const exists = (file) =>
  access(file).then(
    () => true,
    () => false,
  );

export default async function processRecordFilePath(input, ctx) {
  const wav = input.path;
  if (!wav || !(await exists(wav))) return { data: null, state: "success" };
  if (!wav.endsWith(".wav")) return { data: { path: wav }, state: "success" };
  const mp3 = wav.replace(/\.wav$/, ".mp3");
  if (await exists(mp3)) return { data: { path: mp3 }, state: "success" };
  const converted = await new Promise((resolve) => {
    execFile("ffmpeg", ["-y", "-loglevel", "error", "-i", wav, "-codec:a", "libmp3lame", "-q:a", "5", mp3], { signal: ctx.signal, timeout: 9_000 }, (error) => resolve(!error));
  });
  return { data: { path: converted ? mp3 : wav }, state: "success" };
}
