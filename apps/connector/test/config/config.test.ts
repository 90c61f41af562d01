import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfigFile, parseConfig } from "../../src/config/index.js";

const minimal = {
  ami: { username: "crm", secret: "s3cret" },
  b24: { auth: { mode: "webhook", webhookUrl: "https://b24.example/rest/1/abc/" } },
};

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("connector configuration", () => {
  it("fills every default from a minimal file", () => {
    const cfg = parseConfig(minimal, "test", {});
    expect(cfg.ami.port).toBe(5038);
    expect(cfg.b24.limits).toEqual({ burst: 50, drainPerSec: 2, safety: 5 });
    expect(cfg.product.cardMode).toBe("ringing");
    expect(cfg.tracker.clickToCallVariable).toBe("CRM_CALL_ID");
    expect(cfg.redis.prefix).toBe("ab24");
  });

  it("names the path of a wrong key", () => {
    const err = errorOf(() => parseConfig({ ...minimal, b24: { ...minimal.b24, lanes: "four" } }, "cfg.json", {}));
    expect(err.issues.map((i) => i.path)).toEqual(["b24.lanes"]);
    expect(err.message).toContain("cfg.json");
    expect(err.message).toContain("b24.lanes");
  });

  it("refuses unknown keys (typos) with their path", () => {
    const err = errorOf(() => parseConfig({ ...minimal, product: { cardmode: "answer" } }, "cfg.json", {}));
    expect(err.issues[0]!.path).toBe("product");
    expect(err.issues[0]!.message).toContain('"cardmode"');
  });

  it("checks the auth mode's own keys", () => {
    const err = errorOf(() => parseConfig({ ...minimal, b24: { auth: { mode: "oauth", portalUrl: "https://p.example" } } }, "c", {}));
    expect(err.issues.map((i) => i.path).sort()).toEqual(["b24.auth.clientId", "b24.auth.clientSecret"]);
  });

  it("checks extension rules and white lists", () => {
    const cfg = parseConfig({ ...minimal, product: { extensionRules: [{ kind: "strip-prefix", prefix: "7701" }], whitelist: { trunks: ["provider"] } } }, "c", {});
    expect(cfg.product.extensionRules).toEqual([{ kind: "strip-prefix", prefix: "7701" }]);
    expect(cfg.product.whitelist.trunks).toEqual(["provider"]);
    const err = errorOf(() => parseConfig({ ...minimal, product: { extensionRules: [{ kind: "strip-prefix", prefix: "77x" }] } }, "c", {}));
    expect(err.issues[0]!.path).toBe("product.extensionRules.0.prefix");
  });

  it("takes secrets from the environment", () => {
    const cfg = parseConfig({ ami: { username: "crm" }, b24: minimal.b24 }, "c", { ASTERISK_B24_AMI_SECRET: "from-env" });
    expect(cfg.ami.secret).toBe("from-env");
  });

  it("reports unreadable and non-JSON files clearly", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ ami: ");
    expect(errorOf(() => loadConfigFile(bad, {})).message).toMatch(/not valid JSON/);
    expect(errorOf(() => loadConfigFile(join(dir, "missing.json"), {})).message).toMatch(/cannot read file/);
  });
});
