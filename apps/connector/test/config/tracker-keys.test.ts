/**
 * One source for the tracker settings: every key docs/tracker.md documents is accepted from the
 * config file and reaches the tracker with the value set, and the documented keys are exactly the
 * keys the tracker has.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfigFile } from "../../src/config/index.js";
import { compileConfig, defaultTrackerConfig, type TrackerConfig } from "../../src/tracker/config.js";

const DOC = join(import.meta.dirname, "../../../../docs/tracker.md");

/** The keys of the table under "### Config" in docs/tracker.md (first column, in backticks). */
function documentedKeys(): string[] {
  const text = readFileSync(DOC, "utf8");
  const section = text.slice(text.indexOf("### Config"));
  const table = section.slice(0, section.indexOf("\n## "));
  return [...table.matchAll(/^\| `([A-Za-z]+)` \|/gm)].map((m) => m[1]!);
}

/** A valid value that differs from the default, of the default's type. */
function otherValue(def: unknown): unknown {
  if (Array.isArray(def)) return ["TEST_ENTRY_1", "TEST_ENTRY_2"];
  if (typeof def === "number") return def + 7;
  if (typeof def === "string") return "TEST_VALUE_1";
  throw new Error(`no test value for ${JSON.stringify(def)}`);
}

function loadWithTracker(tracker: Record<string, unknown>) {
  const dir = mkdtempSync(join(tmpdir(), "ab24-tracker-keys-"));
  const file = join(dir, "connector.json");
  writeFileSync(file, JSON.stringify({ ami: { username: "crm", secret: "s" }, b24: { auth: { mode: "webhook", webhookUrl: "https://b24.example/rest/1/abc/" } }, tracker }));
  return loadConfigFile(file, {});
}

const keys = documentedKeys();

describe("tracker settings: config file = docs = tracker", () => {
  it("the docs list exactly the keys the tracker reads", () => {
    expect(keys.length).toBeGreaterThan(10);
    expect([...keys].sort()).toEqual(Object.keys(defaultTrackerConfig).sort());
  });

  it.each(keys)("%s is accepted from the config file and reaches the tracker", (key) => {
    const value = otherValue(defaultTrackerConfig[key as keyof TrackerConfig]);
    const cfg = loadWithTracker({ [key]: value });
    expect(cfg.tracker[key as keyof TrackerConfig]).toEqual(value);
    expect(compileConfig(cfg.tracker).raw[key as keyof TrackerConfig]).toEqual(value);
  });

  it("an undocumented key is still refused with its path", () => {
    let err: unknown;
    try {
      loadWithTracker({ trunkContext: ["from-trunk"] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toContain("tracker");
  });
});
