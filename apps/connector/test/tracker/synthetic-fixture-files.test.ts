/** The committed SYNTHETIC fixture files are exactly what the builders in synthetic-flows.ts produce. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRecording, recordingNames, SYNTHETIC_RECORDINGS_DIR } from "@asterisk-b24/testkit";
import { allFixtureFiles } from "./synthetic-fixture-files.js";
import { syntheticFlows } from "./synthetic-flows.js";

describe("synthetic fixtures (packages/testkit/fixtures/asterisk-synthetic)", () => {
  const files = allFixtureFiles();
  it("the files equal the builders' output", () => {
    for (const [name, text] of Object.entries(files)) expect(readFileSync(join(SYNTHETIC_RECORDINGS_DIR, name), "utf8"), name).toBe(text);
  });
  it("load like the real recordings and say they are synthetic", () => {
    const names = recordingNames(SYNTHETIC_RECORDINGS_DIR);
    expect(names.sort()).toEqual(
      syntheticFlows()
        .map((f) => f.name)
        .sort(),
    );
    for (const name of names) {
      const rec = loadRecording(name, SYNTHETIC_RECORDINGS_DIR);
      expect(rec.expect.synthetic).toBe(true);
      expect(rec.description).toContain("SYNTHETIC");
      expect(rec.messages[0]!.message.response).toBe("Success");
      expect(rec.raw.toString("utf8").startsWith("Asterisk Call Manager/11.0.0\r\n")).toBe(true);
    }
  });
});
