import { spawn } from "node:child_process";
import { rename, rm } from "node:fs/promises";
import { basename, extname, join, dirname } from "node:path";

/**
 * Optional wav → mp3 conversion before attaching (mp3 is ~10× smaller, and the CRM player and
 * Bitrix24 Disk handle it better). Conversion can be slow on a busy PBX, so it has its own limit
 * (default 10 s, as in Itgrix); on timeout or any failure the original file is used. ffmpeg comes
 * from the Debian package (scripts/ensure-ffmpeg.sh).
 */

export interface RecordingConverter {
  /** Converts `input`, resolves with the new file's path. Must stop (and clean up) on `signal`. */
  convert(input: string, signal: AbortSignal): Promise<string>;
}

export interface FfmpegOptions {
  /** Default "ffmpeg" (from PATH). */
  ffmpegPath?: string;
  /** Where mp3 files go (default: next to the wav). The monitor folder may be read-only for us. */
  outputDir?: string;
  /** libmp3lame bitrate (default "64k": speech). */
  bitrate?: string;
}

export type ConvertFallbackReason = "not-wav" | "timeout" | "failed";

export type ConvertResult = { path: string; converted: true } | { path: string; converted: false; reason: ConvertFallbackReason; detail?: string };

/** Thrown by the ffmpeg converter; `convertWithFallback` turns it into a fallback result. */
export class ConversionError extends Error {
  override readonly name = "ConversionError";
}

export function mp3PathFor(input: string, outputDir?: string): string {
  const name = `${basename(input, extname(input))}.mp3`;
  return join(outputDir ?? dirname(input), name);
}

export function ffmpegConverter(options: FfmpegOptions = {}): RecordingConverter {
  const ffmpeg = options.ffmpegPath ?? "ffmpeg";
  return {
    convert(input, signal) {
      const output = mp3PathFor(input, options.outputDir);
      // Written under a temporary name and renamed, so nobody ever reads half an mp3.
      const partial = `${output}.part-${process.pid}-${Date.now().toString(36)}.mp3`;
      return new Promise<string>((resolvePath, reject) => {
        const fail = (err: Error) => {
          void rm(partial, { force: true }).finally(() => reject(err));
        };
        if (signal.aborted) return reject(new ConversionError("aborted before start"));
        const child = spawn(
          ffmpeg,
          ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i", input, "-vn", "-codec:a", "libmp3lame", "-b:a", options.bitrate ?? "64k", partial],
          { stdio: ["ignore", "ignore", "pipe"] },
        );
        let stderr = "";
        child.stderr.setEncoding("utf8");
        child.stderr.on("data", (chunk: string) => {
          if (stderr.length < 4000) stderr += chunk;
        });
        const onAbort = () => child.kill("SIGKILL");
        signal.addEventListener("abort", onAbort, { once: true });
        child.once("error", (err) => {
          signal.removeEventListener("abort", onAbort);
          fail(new ConversionError(`cannot run ${ffmpeg}: ${err.message}`));
        });
        child.once("close", (code, sig) => {
          signal.removeEventListener("abort", onAbort);
          if (signal.aborted) return fail(new ConversionError("aborted"));
          if (code !== 0) return fail(new ConversionError(`ffmpeg exited ${code ?? sig}: ${stderr.trim().slice(0, 500)}`));
          rename(partial, output).then(
            () => resolvePath(output),
            (err: Error) => fail(err),
          );
        });
      });
    },
  };
}

/**
 * Converts a .wav within `timeoutMs` (default 10 s); anything else — not a wav, an error, the
 * limit — gives back the original path with the reason.
 */
export async function convertWithFallback(input: string, converter: RecordingConverter, timeoutMs = 10_000): Promise<ConvertResult> {
  if (extname(input).toLowerCase() !== ".wav") return { path: input, converted: false, reason: "not-wav" };
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolveTimeout) => {
    timer = setTimeout(() => resolveTimeout("timeout"), timeoutMs);
  });
  const work = converter.convert(input, controller.signal);
  try {
    const winner = await Promise.race([work, timedOut]);
    if (winner === "timeout") {
      controller.abort();
      work.catch(() => undefined); // the converter cleans up after itself
      return { path: input, converted: false, reason: "timeout" };
    }
    return { path: winner, converted: true };
  } catch (err) {
    return { path: input, converted: false, reason: "failed", detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
