/**
 * The connector enforces its licence offline: operators beyond the licensed number are not
 * served (and flagged in /status); a tampered licence stops the start with the exact reason.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { computeFingerprint, generateVendorKeyPair, issueLicense, systemFingerprintSources } from "@asterisk-b24/license";
import { loadRecording, requireService, SERVICES, uniquePrefix } from "@asterisk-b24/testkit";
import { parseConfig } from "../../src/config/index.js";
import { startStack } from "../../src/demo/stack.js";
import { LicenseStartError } from "../../src/license/connector-license.js";
import { silentLogger } from "../../src/log/logger.js";
import { Connector } from "../../src/runtime/connector.js";

const available = await requireService("redis");

function licenseFiles(operators: number) {
  const dir = mkdtempSync(join(tmpdir(), "ab24-lic-"));
  const keys = generateVendorKeyPair();
  const { token } = issueLicense({
    privateKey: keys.privateKeyPem,
    customer: "Test Contact Centre",
    factors: computeFingerprint(systemFingerprintSources()),
    limits: { operators, pbxes: 1, portals: 1 },
    issuedAt: Date.now(),
    expiresAt: Date.now() + 30 * 86_400_000,
  });
  writeFileSync(join(dir, "license.jwt"), token);
  writeFileSync(join(dir, "vendor.pub.pem"), keys.publicKeyPem);
  return { dir, file: join(dir, "license.jwt"), publicKeyFile: join(dir, "vendor.pub.pem"), token };
}

describe.runIf(available)("licence in the connector", () => {
  it("serves only the licensed number of operators and says so in /status", async () => {
    const lic = licenseFiles(2);
    const rec = loadRecording("02_inbound_queue_sales_102_answers");
    const stack = await startStack({
      recordings: [rec],
      speed: "asap",
      redisUrl: SERVICES.redis.url,
      redisPrefix: uniquePrefix("license"),
      logger: silentLogger(),
      config: { license: { file: lic.file, publicKeyFile: lic.publicKeyFile } },
    });
    try {
      await stack.idle();
      const [call] = stack.emu.calls();
      // 101 and 102 are the two licensed operators; 103 rang but is not served.
      expect([...new Set(call!.shows.map((s) => s.USER_ID))].sort()).toEqual([1, 2]);
      expect(Number(call!.finish?.params.USER_ID)).toBe(2);
      const status = (await (await fetch(`http://127.0.0.1:${stack.connector.httpPort}/status`)).json()) as {
        app: { license: { state: string; overLimitOperators: string[]; health: string; problems: string[] } };
      };
      expect(status.app.license.state).toBe("valid");
      expect(status.app.license.overLimitOperators).toEqual(["103"]);
      expect(status.app.license.health).toBe("Warning");
      expect(status.app.license.problems.join(" ")).toContain("103");
    } finally {
      await stack.close();
    }
  });

  it("refuses to start with a tampered licence, saying exactly what is wrong", () => {
    const lic = licenseFiles(10);
    const [h, p, s] = lic.token.split(".");
    const payload = JSON.parse(Buffer.from(p!, "base64url").toString()) as { limits: { operators: number } };
    payload.limits.operators = 1000;
    writeFileSync(lic.file, [h, Buffer.from(JSON.stringify(payload)).toString("base64url"), s].join("."));
    const config = parseConfig(
      {
        ami: { username: "crm", secret: "x" },
        b24: { auth: { mode: "webhook", webhookUrl: "http://127.0.0.1:1/rest/1/x/" } },
        license: { file: lic.file, publicKeyFile: lic.publicKeyFile },
      },
      "test",
      {},
    );
    expect(() => new Connector({ config, logger: silentLogger(), http: false })).toThrow(LicenseStartError);
    expect(() => new Connector({ config, logger: silentLogger(), http: false })).toThrow(/modified after it was issued/);
  });
});
