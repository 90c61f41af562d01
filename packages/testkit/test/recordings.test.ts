import { describe, expect, it } from "vitest";
import { loadRecording, recordingNames } from "../src/index.js";

describe("recordings", () => {
  it("loads every recording with its expectation", () => {
    const names = recordingNames();
    expect(names.length).toBeGreaterThanOrEqual(13);
    for (const name of names) {
      const rec = loadRecording(name);
      expect(rec.messages.length).toBeGreaterThan(10);
      expect(rec.expect.scenario).toBe(name);
      expect(rec.raw.subarray(0, 22).toString()).toBe("Asterisk Call Manager/");
      // repeated headers are kept in order
      for (const { message } of rec.messages) expect(message.fields.length).toBeGreaterThan(0);
    }
  });
});
