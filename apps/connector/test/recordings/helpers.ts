import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A fresh temp folder per test file; remove with `cleanup()`. */
export async function tempDir(label: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `ab24-rec-${label}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** A valid PCM WAV (8 kHz mono 16-bit, like Asterisk's) of `seconds` of a quiet tone. */
export function wavBytes(seconds = 1, sampleRate = 8000): Buffer {
  const samples = Math.round(seconds * sampleRate);
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(800 * Math.sin((2 * Math.PI * 440 * i) / sampleRate)), i * 2);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "ascii");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVE", 8, "ascii");
  header.write("fmt ", 12, "ascii");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "ascii");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

export async function writeWav(path: string, seconds = 1): Promise<Buffer> {
  const bytes = wavBytes(seconds);
  await writeFile(path, bytes);
  return bytes;
}

function portOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

export const isCI = () => process.env.CI === "true" || process.env.CI === "1";

/**
 * True when the service answers. Under CI a missing service throws (the test file FAILS);
 * elsewhere it returns false and the caller skips with a message.
 */
export async function serviceAvailable(name: string, host: string, port: number): Promise<boolean> {
  if (await portOpen(host, port)) return true;
  const message = `${name} is not reachable on ${host}:${port}`;
  if (isCI()) throw new Error(`${message} (CI=true: integration tests must not skip)`);
  process.stderr.write(`skipping: ${message}\n`);
  return false;
}

/** A name no other test file (or parallel run) uses. */
export function uniqueName(label: string): string {
  return `ab24_${label}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
}
