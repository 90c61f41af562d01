import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { computeFingerprint, FINGERPRINT_SALT, fixedFingerprintSources, hashFactor, parseFactorList, systemFingerprintSources } from "../src/index.js";
import { createHash } from "node:crypto";
import { SERVER_A } from "./helpers.js";

describe("machine fingerprint", () => {
  it("stores salted SHA-256 hashes, never the raw identifiers", () => {
    const f = computeFingerprint(fixedFingerprintSources(SERVER_A));
    const text = JSON.stringify(f);
    expect(text).not.toContain(SERVER_A.machineId);
    expect(text).not.toContain("pbx-a");
    expect(text.toLowerCase()).not.toContain("52:54:00");
    expect(f.machineId).toBe(createHash("sha256").update(`${FINGERPRINT_SALT}\nmachineId\n${SERVER_A.machineId}`).digest("hex"));
    // The plain unsalted hash is not what is stored.
    expect(f.machineId).not.toBe(createHash("sha256").update(SERVER_A.machineId!).digest("hex"));
  });

  it("normalizes MAC case and separators, de-duplicates and sorts MACs", () => {
    expect(hashFactor("mac", "52-54-00-AB-CD-EF")).toBe(hashFactor("mac", "52:54:00:ab:cd:ef"));
    const f = computeFingerprint(fixedFingerprintSources({ macs: ["52:54:00:AB:CD:EF", "52:54:00:ab:cd:ef", "00:11:22:33:44:55"] }));
    expect(f.macs).toHaveLength(2);
    expect(f.macs).toEqual([...f.macs!].sort());
  });

  it("uses only the chosen factors and leaves out what the machine lacks", () => {
    const f = computeFingerprint(fixedFingerprintSources(SERVER_A), parseFactorList("machine-id,hostname"));
    expect(Object.keys(f).sort()).toEqual(["hostname", "machineId"]);
    const bare = computeFingerprint(fixedFingerprintSources({ hostname: "box" }));
    expect(Object.keys(bare)).toEqual(["hostname"]);
    expect(() => parseFactorList("machine-id,serial")).toThrow('unknown factor "serial"');
  });

  describe("system sources", () => {
    const dir = mkdtempSync(join(tmpdir(), "lic-fp-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("reads the machine-id from the first existing path and only NICs with a device from /sys/class/net", () => {
      writeFileSync(join(dir, "machine-id"), "abc123\n");
      const net = join(dir, "net");
      const nic = (name: string, mac: string, device: boolean): void => {
        mkdirSync(join(net, name, ...(device ? ["device"] : [])), { recursive: true });
        writeFileSync(join(net, name, "address"), `${mac}\n`);
      };
      nic("eth0", "02:fc:00:00:00:01", true); // paravirtual NIC: kept even with a locally administered MAC
      nic("enp3s0", "52:54:00:aa:bb:cc", true);
      nic("docker0", "02:42:ac:11:00:02", false);
      nic("veth1234", "aa:bb:cc:dd:ee:ff", false);
      nic("lo", "00:00:00:00:00:00", false);
      const sources = systemFingerprintSources({ machineIdPaths: [join(dir, "missing"), join(dir, "machine-id")], sysClassNet: net });
      expect(sources.machineId()).toBe("abc123");
      expect(sources.macs().sort()).toEqual(["02:fc:00:00:00:01", "52:54:00:aa:bb:cc"]);
      expect(systemFingerprintSources({ machineIdPaths: [join(dir, "missing")] }).machineId()).toBeUndefined();
    });
  });
});
