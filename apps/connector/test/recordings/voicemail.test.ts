/** The voicemail fallback of the recording stage, on real files in a temp folder. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareCallRecording, RecordingNotFoundError } from "../../src/recordings/index.js";
import { tempDir, writeWav } from "./helpers.js";

let dir = "";
let cleanup: () => Promise<void> = async () => undefined;
const PBX_VM = "/var/spool/asterisk/voicemail";
const PBX_MON = "/var/spool/asterisk/monitor";

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir("vm"));
  await mkdir(join(dir, "vm/default/101/INBOX"), { recursive: true });
  await mkdir(join(dir, "vm/default/102/INBOX"), { recursive: true });
  await mkdir(join(dir, "mon"), { recursive: true });
  await writeWav(join(dir, "vm/default/101/INBOX/msg0000.wav"), 2);
  await writeWav(join(dir, "vm/default/102/INBOX/msg0003.WAV"), 1);
  await writeWav(join(dir, "mon/talk.wav"), 1);
  await writeFile(join(dir, "mon/empty.wav"), Buffer.alloc(44)); // header only: no audio
});
afterAll(() => cleanup());

const config = () => ({
  location: {
    monitorDir: PBX_MON,
    mounts: [
      { pbx: PBX_MON, local: join(dir, "mon") },
      { pbx: PBX_VM, local: join(dir, "vm") },
    ],
  },
  wait: { timeoutMs: 300, pollMs: 20 },
});

describe("prepareCallRecording: voicemail when the mixed recording is missing or empty", () => {
  it("no MixMonitor: the voicemail (VM_MESSAGEFILE + .wav)", async () => {
    const r = await prepareCallRecording({}, [`${PBX_VM}/default/101/INBOX/msg0000`], config());
    expect(r).toMatchObject({ source: "voicemail", path: join(dir, "vm/default/101/INBOX/msg0000.wav") });
  });
  it("wav49 is stored as .WAV", async () => {
    const r = await prepareCallRecording({}, [`${PBX_VM}/default/102/INBOX/msg0003`], config());
    expect(r?.path).toBe(join(dir, "vm/default/102/INBOX/msg0003.WAV"));
  });
  it("a header-only mixed recording gives way to the voicemail", async () => {
    const r = await prepareCallRecording({ mixMonitorFilename: `${PBX_MON}/empty.wav` }, [`${PBX_VM}/default/101/INBOX/msg0000`], config());
    expect(r?.source).toBe("voicemail");
  });
  it("a mixed recording that never appeared gives way to the voicemail", async () => {
    const r = await prepareCallRecording({ mixMonitorFilename: `${PBX_MON}/never.wav` }, [`${PBX_VM}/default/101/INBOX/msg0000`], config());
    expect(r?.source).toBe("voicemail");
  });
  it("a mixed recording with audio wins", async () => {
    const r = await prepareCallRecording({ mixMonitorFilename: `${PBX_MON}/talk.wav` }, [`${PBX_VM}/default/101/INBOX/msg0000`], config());
    expect(r).toMatchObject({ source: "mixmonitor", path: join(dir, "mon/talk.wav") });
  });
  it("no voicemail file either: the mixed recording's own error", async () => {
    await expect(prepareCallRecording({ mixMonitorFilename: `${PBX_MON}/never.wav` }, [`${PBX_VM}/default/101/INBOX/msg9999`], config())).rejects.toBeInstanceOf(
      RecordingNotFoundError,
    );
  });
  it("without voicemail nothing changes (an empty file is still the call's recording)", async () => {
    const r = await prepareCallRecording({ mixMonitorFilename: `${PBX_MON}/empty.wav` }, [], config());
    expect(r?.source).toBe("mixmonitor");
  });
});
